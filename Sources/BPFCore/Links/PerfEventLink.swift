import CBPF

extension BPFProgram {
    /// `bpf_program__attach_perf_event_opts`: runs the program on the perf event
    /// `perfFD`, through a BPF perf link where the kernel has them (then the cookie
    /// reaches `bpf_get_attach_cookie`), else PERF_EVENT_IOC_SET_BPF; then enables
    /// the event. On success the link owns `perfFD`; on failure the caller keeps it.
    public func attachPerfEvent(_ perfFD: Int32, cookie: UInt64, legacyProbe: LegacyProbeEvent? = nil) throws(BPFError) -> BPFLink {
        if perfFD < 0 {
            Log.warn("libbpf: prog '\(cString: name)': invalid perf event FD \(perfFD)\n")
            throw .EINVAL
        }
        if fd < 0 {
            Log.warn("libbpf: prog '\(cString: name)': can't attach BPF program w/o FD (did you load it?)\n")
            throw .EINVAL
        }
        var linkFD: Int32 = -1
        if KernelFeatures.supports(.perfLink) {
            var attributes = LinkCreateAttributes()
            attributes.perfEventCookie = cookie
            do throws(BPFError) {
                linkFD = try LinkCommands.create(programFD: fd, targetFD: perfFD, attachType: BPF_PERF_EVENT.rawValue,
                                                 attributes, plainRequest: cookie == 0)
            } catch {
                Log.warn("libbpf: prog '\(cString: name)': failed to create BPF link for perf_event FD \(perfFD): \(-error.code) (\(errorText(-error.code)))\n")
                throw error
            }
        } else {
            if cookie != 0 {
                Log.warn("libbpf: prog '\(cString: name)': user context value is not supported\n")
                throw .EOPNOTSUPP
            }
            if sbpf_perf_event_set_bpf(perfFD, fd) < 0 {
                let error = BPFError.lastErrno()
                Log.warn("libbpf: prog '\(cString: name)': failed to attach to perf_event FD \(perfFD): \(errorText(-error.code))\n")
                if error.code == EPROTO {
                    Log.warn("libbpf: prog '\(cString: name)': try add PERF_SAMPLE_CALLCHAIN to or remove exclude_callchain_[kernel|user] from pfd \(perfFD)\n")
                }
                throw error
            }
        }
        if sbpf_perf_event_enable(perfFD) < 0 {
            let error = BPFError.lastErrno()
            Log.warn("libbpf: prog '\(cString: name)': failed to enable perf_event FD \(perfFD): \(errorText(-error.code))\n")
            if linkFD >= 0 { _ = close(linkFD) }
            throw error
        }
        return BPFLink(fd: linkFD >= 0 ? linkFD : perfFD, release: .perfEvent(perfFD: perfFD, legacyProbe: legacyProbe))
    }
}
