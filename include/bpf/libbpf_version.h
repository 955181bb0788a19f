/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* SwiftBPF: libbpf 1.1 compatible API. Written for the SwiftBPF project. */
#ifndef __LIBBPF_VERSION_H
#define __LIBBPF_VERSION_H

/* The libbpf API level SwiftBPF implements. */
#define LIBBPF_MAJOR_VERSION 1
#define LIBBPF_MINOR_VERSION 1

#endif /* __LIBBPF_VERSION_H */
