import CBPF
#if !SWIFTBPF_EMBEDDED
import BPFCore  // one module in the Embedded build
#endif

// libbpf.h: skeletons and subskeletons (what `bpftool gen skeleton` and
// `bpftool gen subskeleton` headers call). Open fills the user's map, program,
// initial-value and variable pointers from the object (Sources/BPFCore/Object/
// Skeleton.swift); destroy frees what bpftool's code allocated. Load and attach
// need the load pipeline and bpf_program__attach and are not here yet.
//
// Where the reference dereferences a NULL skeleton or slot (and crashes), these
// return EINVAL or skip the slot instead.

@_cdecl("bpf_object__open_skeleton")
public func abi_bpf_object__open_skeleton(_ s: UnsafeMutablePointer<bpf_object_skeleton>?, _ opts: UnsafePointer<bpf_object_open_opts>?) -> Int32 {
    guard let s else { return cReturn(.EINVAL) }
    let name = s.pointee.name
    let object: BPFObject
    do throws(BPFError) {
        object = try BPFObject.openSkeleton(name: name, data: s.pointee.data, size: s.pointee.data_sz) { () throws(BPFError) in
            try openOptions(opts)
        }
    } catch {
        return cReturn(error)
    }
    guard let slot = s.pointee.obj else { return cReturn(.EINVAL) }
    slot.pointee = OpaquePointer(Unmanaged.passRetained(object).toOpaque())
    do throws(BPFError) {
        try object.populateSkeletonMaps(UnsafeMutableRawPointer(s.pointee.maps), count: s.pointee.map_cnt,
                                        stride: s.pointee.map_skel_sz)
    } catch {
        Log.warn("libbpf: failed to populate skeleton maps for '\(cString: name)': -\(error.code)\n")
        return cReturn(error)
    }
    do throws(BPFError) {
        try object.populateSkeletonPrograms(UnsafeMutableRawPointer(s.pointee.progs), count: s.pointee.prog_cnt,
                                            stride: s.pointee.prog_skel_sz)
    } catch {
        Log.warn("libbpf: failed to populate skeleton progs for '\(cString: name)': -\(error.code)\n")
        return cReturn(error)
    }
    return 0
}

/// Auto-attaches every program that is loaded with autoattach on and whose
/// SEC() definition can attach, storing each link in the program's slot (a slot
/// the user already filled is left alone; a section naming no target leaves it
/// NULL). The first failure stops and is returned.
@_cdecl("bpf_object__attach_skeleton")
public func abi_bpf_object__attach_skeleton(_ s: UnsafeMutablePointer<bpf_object_skeleton>?) -> Int32 {
    guard let s else { return cReturn(.EINVAL) }
    guard s.pointee.prog_cnt > 0, let progs = UnsafeMutableRawPointer(s.pointee.progs) else { return 0 }
    let stride = Int(s.pointee.prog_skel_sz)
    for i in 0..<Int(s.pointee.prog_cnt) {
        let record = (progs + Int(Int32(truncatingIfNeeded: stride &* i))).assumingMemoryBound(to: bpf_prog_skeleton.self)
        guard let programSlot = record.pointee.prog, let program = programFrom(programSlot.pointee) else { continue }
        if !program.autoload || !program.autoattach || !program.canAutoAttach { continue }
        guard let linkSlot = record.pointee.link else { continue }
        if linkSlot.pointee != nil { continue }
        var link: OpaquePointer?
        let result = program.autoAttach(&link)
        linkSlot.pointee = link
        if result != 0 {
            Log.warn("libbpf: prog '\(cString: program.name)': failed to auto-attach: \(result)\n")
            return cReturn(BPFError(-result))
        }
    }
    return 0
}

/// Destroys every link the skeleton holds (attach stores them) and clears the slots.
@_cdecl("bpf_object__detach_skeleton")
public func abi_bpf_object__detach_skeleton(_ s: UnsafeMutablePointer<bpf_object_skeleton>?) {
    guard let s, s.pointee.prog_cnt > 0, let progs = UnsafeMutableRawPointer(s.pointee.progs) else { return }
    let stride = Int(s.pointee.prog_skel_sz)
    for i in 0..<Int(s.pointee.prog_cnt) {
        // The reference computes the record offset in 32-bit arithmetic.
        let record = (progs + Int(Int32(truncatingIfNeeded: stride &* i))).assumingMemoryBound(to: bpf_prog_skeleton.self)
        guard let slot = record.pointee.link else { continue }
        // bpf_link__destroy(NULL) does nothing.
        if let link = slot.pointee { _ = abi_bpf_link__destroy(link) }
        slot.pointee = nil
    }
}

/// Detaches, closes the object and frees the skeleton and its two arrays.
@_cdecl("bpf_object__destroy_skeleton")
public func abi_bpf_object__destroy_skeleton(_ s: UnsafeMutablePointer<bpf_object_skeleton>?) {
    guard let s else { return }
    if s.pointee.progs != nil { abi_bpf_object__detach_skeleton(s) }
    if let slot = s.pointee.obj { abi_bpf_object__close(slot.pointee) }
    free(s.pointee.maps)
    free(s.pointee.progs)
    free(s)
}

@_cdecl("bpf_object__open_subskeleton")
public func abi_bpf_object__open_subskeleton(_ s: UnsafeMutablePointer<bpf_object_subskeleton>?) -> Int32 {
    guard let s, let object = objectFrom(s.pointee.obj) else { return cReturn(.EINVAL) }
    guard let btf = object.btf else {
        Log.warn("libbpf: subskeletons require BTF at runtime (object \(cString: object.nameCString))\n")
        // As the reference: whatever errno is (logging keeps it), not set here.
        return -sbpf_errno()
    }
    do throws(BPFError) {
        try object.populateSkeletonMaps(UnsafeMutableRawPointer(s.pointee.maps), count: s.pointee.map_cnt,
                                        stride: s.pointee.map_skel_sz)
        try object.populateSkeletonPrograms(UnsafeMutableRawPointer(s.pointee.progs), count: s.pointee.prog_cnt,
                                            stride: s.pointee.prog_skel_sz)
    } catch {
        // The reference reports a program failure with the maps message too.
        Log.warn("libbpf: failed to populate subskeleton maps: -\(error.code)\n")
        return cReturn(error)
    }
    return cResult { () throws(BPFError) in
        try object.resolveSubskeletonVariables(UnsafeMutableRawPointer(s.pointee.vars), count: s.pointee.var_cnt,
                                               stride: s.pointee.var_skel_sz, btf: btf)
        return 0
    }
}

@_cdecl("bpf_object__destroy_subskeleton")
public func abi_bpf_object__destroy_subskeleton(_ s: UnsafeMutablePointer<bpf_object_subskeleton>?) {
    guard let s else { return }
    free(s.pointee.maps)
    free(s.pointee.progs)
    free(s.pointee.vars)
    free(s)
}
