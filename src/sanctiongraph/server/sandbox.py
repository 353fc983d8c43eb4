"""The query workers' sandbox: once it is in place, the process cannot open a network connection.

A SPARQL engine fetches what a query names (`SERVICE <url>`, `LOAD <url>`); the server refuses
those by parsing each query (sanctiongraph.server.federation), and this is what makes a parser's miss
harmless. A seccomp filter, installed for every thread of the worker before it opens the store,
makes `socket` and `socketpair` fail with EPERM (every address family: no TCP, no UDP, no DNS
lookup through a local resolver's socket) and `io_uring_setup` with ENOSYS (io_uring can open
sockets too). The pipe to the server was made before, so the worker still talks to it. A syscall
made in another architecture's convention (x32, or 32-bit on a 64-bit kernel) ends the process.

Linux on x86_64 and aarch64 only: elsewhere `forbid_network` raises, and the server does not start."""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
import sys

from sanctiongraph.errors import SanctionGraphError

# Linux's numbers for what the filter names, by machine: (audit architecture, socket, socketpair, io_uring_setup, seccomp)
_MACHINES = {
    "x86_64": (0xC000003E, 41, 53, 425, 317),
    "aarch64": (0xC00000B7, 198, 199, 425, 277),
}
_X32 = 0x40000000  # x86_64 syscalls made in the x32 convention carry this bit

# classic BPF and seccomp constants (linux/filter.h, linux/seccomp.h)
_LOAD_WORD = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JUMP_EQUAL = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JUMP_AT_LEAST = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_RETURN = 0x06  # BPF_RET | BPF_K
_ALLOW, _KILL, _ERRNO = 0x7FFF0000, 0x80000000, 0x00050000
_NR, _ARCH = 0, 4  # offsets in struct seccomp_data
_SET_NO_NEW_PRIVS, _SET_MODE_FILTER, _FILTER_FLAG_TSYNC = 38, 1, 1


class SandboxError(SanctionGraphError):
    """The network sandbox cannot be put in place on this machine."""


def filter_program(machine: str) -> list[tuple[int, int, int, int]]:
    """The seccomp filter for a machine, as (code, jump if true, jump if false, constant) instructions."""
    arch, socket, socketpair, io_uring_setup, _ = _MACHINES[machine]
    return [
        (_LOAD_WORD, 0, 0, _ARCH),
        (_JUMP_EQUAL, 1, 0, arch),
        (_RETURN, 0, 0, _KILL),  # another architecture's syscall convention
        (_LOAD_WORD, 0, 0, _NR),
        (_JUMP_AT_LEAST, 4, 0, _X32),  # to EPERM
        (_JUMP_EQUAL, 3, 0, socket),  # to EPERM
        (_JUMP_EQUAL, 2, 0, socketpair),  # to EPERM
        (_JUMP_EQUAL, 2, 0, io_uring_setup),  # to ENOSYS
        (_RETURN, 0, 0, _ALLOW),
        (_RETURN, 0, 0, _ERRNO | errno.EPERM),
        (_RETURN, 0, 0, _ERRNO | errno.ENOSYS),
    ]


def forbid_network() -> None:
    """Install the filter on every thread of this process, for good; SandboxError where it cannot be."""
    machine = platform.machine().lower()
    if not sys.platform.startswith("linux") or machine not in _MACHINES:
        raise SandboxError(f"the query sandbox needs Linux on {' or '.join(_MACHINES)}, not {sys.platform} on {machine}")
    instructions = filter_program(machine)
    code = b"".join(struct.pack("=HBBI", *instruction) for instruction in instructions)
    buffer = ctypes.create_string_buffer(code, len(code))

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    program = Program(len(instructions), ctypes.addressof(buffer))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SandboxError(f"the query sandbox cannot be installed: prctl: {os.strerror(ctypes.get_errno())}")
    seccomp = _MACHINES[machine][4]
    if libc.syscall(seccomp, _SET_MODE_FILTER, _FILTER_FLAG_TSYNC, ctypes.byref(program)) != 0:
        raise SandboxError(f"the query sandbox cannot be installed: seccomp: {os.strerror(ctypes.get_errno())}")
