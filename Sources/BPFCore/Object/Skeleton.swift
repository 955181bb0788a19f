import CBPF

// Skeletons and subskeletons as bpftool generates them (`bpftool gen skeleton` /
// `gen subskeleton`): C structs that name an object's maps, programs and
// global variables and point at the user's fields, which libbpf fills in.
//
// The record arrays are read with the C layouts of libbpf.h, each record
// `map_skel_sz` / `prog_skel_sz` / `var_skel_sz` bytes after the previous one
// (so a skeleton built against a newer header with larger records still works),
// as libbpf 1.1 does. Handles written into the user's slots follow the C API's
// convention: `struct bpf_map *` / `struct bpf_program *` is the unretained
// BPFMap / BPFProgram owned by its object.

extension BPFObject {
    /// The object of `bpf_object__open_skeleton`: the skeleton's embedded ELF image
    /// opened as `bpf_object__open_mem` would, except that the object is named
    /// after the skeleton unless the options name it (bpftool derives internal map
    /// names from that name), and that the image is not checked for emptiness
    /// first. A skeleton without a name is EINVAL before the options are read.
    /// Every failure is logged as the reference does.
    public static func openSkeleton(name: UnsafePointer<CChar>?, data: UnsafeRawPointer?, size: Int,
                                     options parse: () throws(BPFError) -> ObjectOpenOptions) throws(BPFError) -> BPFObject {
        do throws(BPFError) {
            // A NULL image would be taken for a NULL path by the reference (which
            // then crashes); refused here like a missing name.
            guard let name, let data else { throw .EINVAL }
            var options = try parse()
            if options.objectName == nil { options.objectName = name }
            return try BPFObject.open(path: nil, buffer: data, size: size, options: options)
        } catch {
            Log.warn("libbpf: failed to initialize skeleton BPF object '\(cString: name)': -\(error.code)\n")
            throw error
        }
    }

    /// `populate_skeleton_maps`: each `struct bpf_map_skeleton` record's map slot
    /// gets the map of that name (`bpf_object__find_map_by_name`, so internal maps
    /// by section or kernel name), and its `mmaped` slot, when given, the map's
    /// initial-value buffer (except for `.kconfig`, which users must not preset).
    /// A name that matches nothing stores NULL and fails with ESRCH.
    public func populateSkeletonMaps(_ records: UnsafeMutableRawPointer?, count: Int32, stride: Int32) throws(BPFError) {
        if count <= 0 { return }
        guard let records else { throw .EINVAL }
        for i in 0..<Int(count) {
            let record = (records + i * Int(stride)).assumingMemoryBound(to: bpf_map_skeleton.self)
            let name = record.pointee.name
            let map = name.flatMap { self.map(named: $0) }
            record.pointee.map?.pointee = map.map { OpaquePointer(Unmanaged.passUnretained($0).toOpaque()) }
            guard let map else {
                Log.warn("libbpf: failed to find skeleton map '\(cString: name)'\n")
                throw .ESRCH
            }
            if let mmaped = record.pointee.mmaped, map.kind != .kconfig {
                mmaped.pointee = map.mmaped
            }
        }
    }

    /// `populate_skeleton_progs`: each `struct bpf_prog_skeleton` record's program
    /// slot gets the (non-subprogram) program of that name; its link slot is left
    /// alone. A name that matches nothing stores NULL and fails with ESRCH.
    public func populateSkeletonPrograms(_ records: UnsafeMutableRawPointer?, count: Int32, stride: Int32) throws(BPFError) {
        if count <= 0 { return }
        guard let records else { throw .EINVAL }
        for i in 0..<Int(count) {
            let record = (records + i * Int(stride)).assumingMemoryBound(to: bpf_prog_skeleton.self)
            let name = record.pointee.name
            let program = name.flatMap { self.program(named: $0) }
            record.pointee.prog?.pointee = program.map { OpaquePointer(Unmanaged.passUnretained($0).toOpaque()) }
            if program == nil {
                Log.warn("libbpf: failed to find skeleton program '\(cString: name)'\n")
                throw .ESRCH
            }
        }
    }

    /// The variable part of `bpf_object__open_subskeleton`: for each
    /// `struct bpf_var_skeleton`, the map in its map slot (filled by
    /// `populateSkeletonMaps` first) must have a DATASEC value type in this
    /// object's BTF; the address slot of the variable of that name gets the map's
    /// initial-value buffer plus the variable's offset in the DATASEC. A name the
    /// DATASEC does not have leaves the slot untouched, as in the reference.
    public func resolveSubskeletonVariables(_ records: UnsafeMutableRawPointer?, count: Int32, stride: Int32,
                                            btf: BTF) throws(BPFError) {
        if count <= 0 { return }
        guard let records else { throw .EINVAL }
        for i in 0..<Int(count) {
            // The reference computes the record offset in 32-bit arithmetic.
            let offset = Int(Int32(truncatingIfNeeded: Int(stride) &* i))
            let record = (records + offset).assumingMemoryBound(to: bpf_var_skeleton.self)
            let handle = record.pointee.map?.pointee
            let map = handle.map { Unmanaged<BPFMap>.fromOpaque(UnsafeRawPointer($0)).takeUnretainedValue() }
            let section = btf.type(map?.btfValueTypeID ?? 0)
            guard let section, section.kind == BTFKind.dataSection else {
                let kind = section?.kind ?? BTFKind.unknown
                // No trailing newline: the reference's message has none either.
                Log.warn("libbpf: type for map '\(cString: map?.displayName)' is not a datasec: \(btfKindString(kind))")
                throw .EINVAL
            }
            guard let name = record.pointee.name else { continue }
            for v in 0..<Int(section.vlen) {
                guard let variable = btf.type(section.word(3 * v)),
                      let variableName = btf.name(of: variable),
                      strcmp(variableName, name) == 0 else { continue }
                let address = UInt(bitPattern: map!.mmaped) &+ UInt(section.word(3 * v + 1))
                record.pointee.addr?.pointee = UnsafeMutableRawPointer(bitPattern: address)
                break
            }
        }
    }
}

/// `btf_kind_str`: the lowercase kind names the reference prints ("void" for 0).
func btfKindString(_ kind: UInt32) -> StaticString {
    switch kind {
    case BTFKind.unknown: return "void"
    case BTFKind.int: return "int"
    case BTFKind.pointer: return "ptr"
    case BTFKind.array: return "array"
    case BTFKind.structure: return "struct"
    case BTFKind.union: return "union"
    case BTFKind.enumeration: return "enum"
    case BTFKind.forward: return "fwd"
    case BTFKind.typedef: return "typedef"
    case BTFKind.volatile: return "volatile"
    case BTFKind.const: return "const"
    case BTFKind.restrict: return "restrict"
    case BTFKind.function: return "func"
    case BTFKind.functionPrototype: return "func_proto"
    case BTFKind.variable: return "var"
    case BTFKind.dataSection: return "datasec"
    case BTFKind.float: return "float"
    case BTFKind.declTag: return "decl_tag"
    case BTFKind.typeTag: return "type_tag"
    case BTFKind.enum64: return "enum64"
    default: return "unknown"
    }
}
