/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Play a hijacked UML stub from inside the guest.
 *
 * In SECCOMP userspace mode a guest process runs in the same host process
 * as the UML stub. The stub's code page ends in stub_signal_restorer(),
 * "syscall; ret", and the host's seccomp filter takes calls made from that
 * page for the stub's own. So guest code that finds the page can make host
 * calls from it, with arguments of its choosing, by an ordinary call.
 *
 * Upstream (and with CONFIG_UML_SECCOMP_HARDEN off, or seccomp_harden=off)
 * the filter lets mmap, munmap, futex, recvmsg, close, arch_prctl and
 * rt_sigreturn from that page through to the host and kills the process
 * for any other call made there. With the option on, the guest thread's
 * filter lets through only the forms stub_v3_form() calls allowed; the UML
 * kernel answers every other call from the page with -EPERM and logs
 * "uml-stub: COMM[PID]: denied host call NR from the stub page".
 *
 * Build with -mno-red-zone: the call pushes onto the stack.
 */
#ifndef STUB_GADGET_H
#define STUB_GADGET_H

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <asm/prctl.h>
#include <linux/futex.h>

#define GADGET_PAGE 4096UL

/*
 * struct stub_data (arch/um/include/shared/skas/stub-data.h) on x86_64,
 * the same with the option on and off: offsets in the first data page.
 */
#define STUB_FUTEX_OFF		3980	/* u32: 0 FUTEX_IN_CHILD, 1 FUTEX_IN_KERN */
#define STUB_SIGNAL_OFF		3984	/* int: the signal the stub reports */
#define STUB_SI_OFFSET_OFF	3988	/* u16: siginfo, from sigstack */
#define STUB_MCTX_OFFSET_OFF	3990	/* u16: mcontext, from sigstack */
#define STUB_RESUME_OFF		4016	/* u32, option on: 1 once the stub may return */
#define STUB_SIGSTACK_OFF	4096	/* the signal stack, one page */

struct stub_gadget {
	uintptr_t code;		/* STUB_START: the stub's code page (r-x) */
	uintptr_t data;		/* STUB_DATA: its two data pages (rw), right above */
	uintptr_t batch;	/* the read-only batch page above them, or 0 */
	uintptr_t call;		/* address of "syscall; ret" */
};

static sigjmp_buf gadget_probe_env;

static void gadget_probe_fault(int sig)
{
	siglongjmp(gadget_probe_env, 1);
}

/*
 * Read one byte at @addr, and with @write store it back; returns the byte,
 * or -1 if the guest gets a fault for it.
 */
static int gadget_touch(uintptr_t addr, int write)
{
	volatile unsigned char *p = (void *)addr;
	struct sigaction sa = { .sa_handler = gadget_probe_fault }, old_segv,
			 old_bus;
	int val = -1;

	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	if (sigsetjmp(gadget_probe_env, 1) == 0) {
		unsigned char c = *p;

		if (write)
			*p = c;
		val = c;
	}
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);

	return val;
}

static int gadget_peek(uintptr_t addr)
{
	return gadget_touch(addr, 0);
}

/* Can the guest write at @addr? (It writes back what it read.) */
static int gadget_writable(uintptr_t addr)
{
	return gadget_touch(addr, 1) >= 0;
}

static uintptr_t gadget_find_in_page(uintptr_t page)
{
	const unsigned char *p = (const void *)page;
	size_t i;

	for (i = 0; i + 3 <= GADGET_PAGE; i++)
		if (p[i] == 0x0f && p[i + 1] == 0x05 && p[i + 2] == 0xc3)
			return page + i;
	return 0;
}

/*
 * UML puts the stub right below the top of the host's address space (the
 * page above the host stack's environment strings; UML runs without
 * ASLR), above TASK_SIZE, where the guest has no VMA but the host maps
 * the stub. Look below each plausible top for the highest page that the
 * guest can read but not write, whose content holds the gadget and which
 * two pages it can read and write follow (the data pages: a data page that
 * happens to hold the three bytes is not taken for the code). A read-only
 * page right above the data pages is the batch page (option on).
 */
static inline int stub_gadget_find(struct stub_gadget *g)
{
	static const uintptr_t tops[] = {
		0x800000000000UL,	/* 47-bit user space */
		0x100000000000000UL,	/* 56-bit (LA57) user space */
	};
	unsigned int t, i;

	for (t = 0; t < sizeof(tops) / sizeof(tops[0]); t++) {
		for (i = 1; i <= 512; i++) {
			uintptr_t page = tops[t] - i * GADGET_PAGE;
			uintptr_t call, above = page + 3 * GADGET_PAGE;

			if (gadget_peek(page) < 0 || gadget_writable(page))
				continue;
			call = gadget_find_in_page(page);
			if (!call || !gadget_writable(page + GADGET_PAGE) ||
			    !gadget_writable(page + 2 * GADGET_PAGE))
				continue;
			g->code = page;
			g->data = page + GADGET_PAGE;
			g->call = call;
			g->batch = above < tops[t] && gadget_peek(above) >= 0 &&
				   !gadget_writable(above) ? above : 0;
			return 0;
		}
	}
	return -1;
}

/* Make a host syscall through the stub's gadget: returns -errno or value. */
static inline long stub_call6(const struct stub_gadget *g, long nr, long a1,
			      long a2, long a3, long a4, long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__asm__ volatile("call *%[gadget]"
			 : "=a"(ret), "+r"(r10), "+r"(r8), "+r"(r9)
			 : [gadget] "r"(g->call), "a"(nr), "D"(a1), "S"(a2),
			   "d"(a3)
			 : "rcx", "r11", "memory", "cc");
	return ret;
}

static inline long stub_mmap(const struct stub_gadget *g, uintptr_t addr,
			     size_t len, int prot, int flags, int fd,
			     unsigned long offset)
{
	return stub_call6(g, SYS_mmap, addr, len, prot, flags, fd, offset);
}

static inline long stub_munmap(const struct stub_gadget *g, uintptr_t addr,
			       size_t len)
{
	return stub_call6(g, SYS_munmap, addr, len, 0, 0, 0, 0);
}

/*
 * A harmless call that tells the host apart from the UML kernel: upstream
 * the stub's fd 0 is its socket to the kernel (non-blocking, empty: the
 * host answers -EAGAIN); with the option on the call is refused (-EPERM).
 */
static inline long stub_probe_call(const struct stub_gadget *g)
{
	char c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	return stub_call6(g, SYS_recvmsg, 0, (long)&msg, MSG_DONTWAIT, 0, 0,
			  0);
}

/* The frame backing a page of ours, from /proc/self/pagemap (needs root). */
static inline unsigned long guest_frame_of(const void *addr)
{
	uint64_t entry = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	off_t off = ((uintptr_t)addr / GADGET_PAGE) * sizeof(entry);

	if (fd < 0)
		return 0;
	if (pread(fd, &entry, sizeof(entry), off) != sizeof(entry))
		entry = 0;
	close(fd);
	if (!(entry & (1ULL << 63)))
		return 0;
	return (entry & ((1ULL << 55) - 1)) * GADGET_PAGE;
}

/* Is the hardened stub expected in this run? The runner says so. */
static inline int stub_harden_expected(void)
{
	const char *v = getenv("STUB_HARDEN");

	return v && strcmp(v, "on") == 0;
}

/* --- what the option's guest-thread filter lets through ----------------- */

enum stub_form {
	STUB_REFUSED,	/* must get -EPERM from the UML kernel */
	STUB_ALLOWED,	/* reaches the host */
	STUB_MAYBE,	/* may be the allowed form: either answer */
};

static inline int stub_in_batch_page(const struct stub_gadget *g, long addr)
{
	return g->batch && (uintptr_t)addr >= g->batch &&
	       (uintptr_t)addr < g->batch + GADGET_PAGE;
}

/*
 * With the option on, from the stub page: rt_sigreturn; futex(&futex,
 * FUTEX_WAKE, ...) on the stub's own futex word; futex(resume word,
 * FUTEX_WAIT, val, NULL) on a word of the batch page (which one is the
 * kernel's business: any word of the page is "maybe"); arch_prctl with
 * ARCH_SET_FS or ARCH_SET_GS. The host reads the number and the int
 * arguments as 32 bits, so a form whose upper half differs only where the
 * host does not look is "maybe" too. Everything else is refused.
 */
static inline int stub_v3_form(const struct stub_gadget *g, long nr,
			       const long a[6])
{
	int op = (int)a[1], base = op & ~FUTEX_PRIVATE_FLAG;
	int exact = (unsigned long)a[1] == (unsigned int)op;

	switch ((int)nr) {
	case SYS_rt_sigreturn:
		return STUB_ALLOWED;
	case SYS_futex:
		if ((uintptr_t)a[0] == g->data + STUB_FUTEX_OFF && base == FUTEX_WAKE)
			return op == FUTEX_WAKE && exact ? STUB_ALLOWED : STUB_MAYBE;
		if ((uintptr_t)a[0] == g->data + STUB_RESUME_OFF &&
		    (int)a[1] == FUTEX_WAIT && !a[3])
			return STUB_MAYBE;
		return STUB_REFUSED;
	case SYS_arch_prctl:
		if ((int)a[0] == ARCH_SET_FS || (int)a[0] == ARCH_SET_GS)
			return (unsigned long)a[0] == (unsigned int)a[0] ?
			       STUB_ALLOWED : STUB_MAYBE;
		return STUB_REFUSED;
	default:
		return STUB_REFUSED;
	}
}

/*
 * Host 6.x kernels exempt uretprobe and uprobe (x86_64: 335 and 336) from
 * every seccomp filter by design; called anywhere but from a uprobe
 * trampoline, uretprobe raises SIGILL and uprobe returns -ENXIO; hosts
 * without them answer -ENOSYS. No filter of UML's can refuse them.
 */
#define STUB_NR_URETPROBE 335
#define STUB_NR_UPROBE 336

static inline int stub_host_passthrough(long nr)
{
	return (int)nr == STUB_NR_URETPROBE || (int)nr == STUB_NR_UPROBE;
}

/* --- x86_64 system call names (arch/x86/entry/syscalls/syscall_64.tbl) --- */

static const char *const stub_sysnames[] = {
	[0] = "read", [1] = "write", [2] = "open", [3] = "close", [4] = "stat",
	[5] = "fstat", [6] = "lstat", [7] = "poll", [8] = "lseek", [9] = "mmap",
	[10] = "mprotect", [11] = "munmap", [12] = "brk", [13] = "rt_sigaction",
	[14] = "rt_sigprocmask", [15] = "rt_sigreturn", [16] = "ioctl",
	[17] = "pread64", [18] = "pwrite64", [19] = "readv", [20] = "writev",
	[21] = "access", [22] = "pipe", [23] = "select", [24] = "sched_yield",
	[25] = "mremap", [26] = "msync", [27] = "mincore", [28] = "madvise",
	[29] = "shmget", [30] = "shmat", [31] = "shmctl", [32] = "dup", [33] = "dup2",
	[34] = "pause", [35] = "nanosleep", [36] = "getitimer", [37] = "alarm",
	[38] = "setitimer", [39] = "getpid", [40] = "sendfile", [41] = "socket",
	[42] = "connect", [43] = "accept", [44] = "sendto", [45] = "recvfrom",
	[46] = "sendmsg", [47] = "recvmsg", [48] = "shutdown", [49] = "bind",
	[50] = "listen", [51] = "getsockname", [52] = "getpeername",
	[53] = "socketpair", [54] = "setsockopt", [55] = "getsockopt", [56] = "clone",
	[57] = "fork", [58] = "vfork", [59] = "execve", [60] = "exit", [61] = "wait4",
	[62] = "kill", [63] = "uname", [64] = "semget", [65] = "semop",
	[66] = "semctl", [67] = "shmdt", [68] = "msgget", [69] = "msgsnd",
	[70] = "msgrcv", [71] = "msgctl", [72] = "fcntl", [73] = "flock",
	[74] = "fsync", [75] = "fdatasync", [76] = "truncate", [77] = "ftruncate",
	[78] = "getdents", [79] = "getcwd", [80] = "chdir", [81] = "fchdir",
	[82] = "rename", [83] = "mkdir", [84] = "rmdir", [85] = "creat",
	[86] = "link", [87] = "unlink", [88] = "symlink", [89] = "readlink",
	[90] = "chmod", [91] = "fchmod", [92] = "chown", [93] = "fchown",
	[94] = "lchown", [95] = "umask", [96] = "gettimeofday", [97] = "getrlimit",
	[98] = "getrusage", [99] = "sysinfo", [100] = "times", [101] = "ptrace",
	[102] = "getuid", [103] = "syslog", [104] = "getgid", [105] = "setuid",
	[106] = "setgid", [107] = "geteuid", [108] = "getegid", [109] = "setpgid",
	[110] = "getppid", [111] = "getpgrp", [112] = "setsid", [113] = "setreuid",
	[114] = "setregid", [115] = "getgroups", [116] = "setgroups",
	[117] = "setresuid", [118] = "getresuid", [119] = "setresgid",
	[120] = "getresgid", [121] = "getpgid", [122] = "setfsuid",
	[123] = "setfsgid", [124] = "getsid", [125] = "capget", [126] = "capset",
	[127] = "rt_sigpending", [128] = "rt_sigtimedwait", [129] = "rt_sigqueueinfo",
	[130] = "rt_sigsuspend", [131] = "sigaltstack", [132] = "utime",
	[133] = "mknod", [134] = "uselib", [135] = "personality", [136] = "ustat",
	[137] = "statfs", [138] = "fstatfs", [139] = "sysfs", [140] = "getpriority",
	[141] = "setpriority", [142] = "sched_setparam", [143] = "sched_getparam",
	[144] = "sched_setscheduler", [145] = "sched_getscheduler",
	[146] = "sched_get_priority_max", [147] = "sched_get_priority_min",
	[148] = "sched_rr_get_interval", [149] = "mlock", [150] = "munlock",
	[151] = "mlockall", [152] = "munlockall", [153] = "vhangup",
	[154] = "modify_ldt", [155] = "pivot_root", [156] = "_sysctl",
	[157] = "prctl", [158] = "arch_prctl", [159] = "adjtimex",
	[160] = "setrlimit", [161] = "chroot", [162] = "sync", [163] = "acct",
	[164] = "settimeofday", [165] = "mount", [166] = "umount2", [167] = "swapon",
	[168] = "swapoff", [169] = "reboot", [170] = "sethostname",
	[171] = "setdomainname", [172] = "iopl", [173] = "ioperm",
	[174] = "create_module", [175] = "init_module", [176] = "delete_module",
	[177] = "get_kernel_syms", [178] = "query_module", [179] = "quotactl",
	[180] = "nfsservctl", [181] = "getpmsg", [182] = "putpmsg",
	[183] = "afs_syscall", [184] = "tuxcall", [185] = "security",
	[186] = "gettid", [187] = "readahead", [188] = "setxattr",
	[189] = "lsetxattr", [190] = "fsetxattr", [191] = "getxattr",
	[192] = "lgetxattr", [193] = "fgetxattr", [194] = "listxattr",
	[195] = "llistxattr", [196] = "flistxattr", [197] = "removexattr",
	[198] = "lremovexattr", [199] = "fremovexattr", [200] = "tkill",
	[201] = "time", [202] = "futex", [203] = "sched_setaffinity",
	[204] = "sched_getaffinity", [205] = "set_thread_area", [206] = "io_setup",
	[207] = "io_destroy", [208] = "io_getevents", [209] = "io_submit",
	[210] = "io_cancel", [211] = "get_thread_area", [212] = "lookup_dcookie",
	[213] = "epoll_create", [214] = "epoll_ctl_old", [215] = "epoll_wait_old",
	[216] = "remap_file_pages", [217] = "getdents64", [218] = "set_tid_address",
	[219] = "restart_syscall", [220] = "semtimedop", [221] = "fadvise64",
	[222] = "timer_create", [223] = "timer_settime", [224] = "timer_gettime",
	[225] = "timer_getoverrun", [226] = "timer_delete", [227] = "clock_settime",
	[228] = "clock_gettime", [229] = "clock_getres", [230] = "clock_nanosleep",
	[231] = "exit_group", [232] = "epoll_wait", [233] = "epoll_ctl",
	[234] = "tgkill", [235] = "utimes", [236] = "vserver", [237] = "mbind",
	[238] = "set_mempolicy", [239] = "get_mempolicy", [240] = "mq_open",
	[241] = "mq_unlink", [242] = "mq_timedsend", [243] = "mq_timedreceive",
	[244] = "mq_notify", [245] = "mq_getsetattr", [246] = "kexec_load",
	[247] = "waitid", [248] = "add_key", [249] = "request_key", [250] = "keyctl",
	[251] = "ioprio_set", [252] = "ioprio_get", [253] = "inotify_init",
	[254] = "inotify_add_watch", [255] = "inotify_rm_watch",
	[256] = "migrate_pages", [257] = "openat", [258] = "mkdirat",
	[259] = "mknodat", [260] = "fchownat", [261] = "futimesat",
	[262] = "newfstatat", [263] = "unlinkat", [264] = "renameat",
	[265] = "linkat", [266] = "symlinkat", [267] = "readlinkat",
	[268] = "fchmodat", [269] = "faccessat", [270] = "pselect6", [271] = "ppoll",
	[272] = "unshare", [273] = "set_robust_list", [274] = "get_robust_list",
	[275] = "splice", [276] = "tee", [277] = "sync_file_range",
	[278] = "vmsplice", [279] = "move_pages", [280] = "utimensat",
	[281] = "epoll_pwait", [282] = "signalfd", [283] = "timerfd_create",
	[284] = "eventfd", [285] = "fallocate", [286] = "timerfd_settime",
	[287] = "timerfd_gettime", [288] = "accept4", [289] = "signalfd4",
	[290] = "eventfd2", [291] = "epoll_create1", [292] = "dup3", [293] = "pipe2",
	[294] = "inotify_init1", [295] = "preadv", [296] = "pwritev",
	[297] = "rt_tgsigqueueinfo", [298] = "perf_event_open", [299] = "recvmmsg",
	[300] = "fanotify_init", [301] = "fanotify_mark", [302] = "prlimit64",
	[303] = "name_to_handle_at", [304] = "open_by_handle_at",
	[305] = "clock_adjtime", [306] = "syncfs", [307] = "sendmmsg",
	[308] = "setns", [309] = "getcpu", [310] = "process_vm_readv",
	[311] = "process_vm_writev", [312] = "kcmp", [313] = "finit_module",
	[314] = "sched_setattr", [315] = "sched_getattr", [316] = "renameat2",
	[317] = "seccomp", [318] = "getrandom", [319] = "memfd_create",
	[320] = "kexec_file_load", [321] = "bpf", [322] = "execveat",
	[323] = "userfaultfd", [324] = "membarrier", [325] = "mlock2",
	[326] = "copy_file_range", [327] = "preadv2", [328] = "pwritev2",
	[329] = "pkey_mprotect", [330] = "pkey_alloc", [331] = "pkey_free",
	[332] = "statx", [333] = "io_pgetevents", [334] = "rseq", [335] = "uretprobe",
	[336] = "uprobe", [424] = "pidfd_send_signal", [425] = "io_uring_setup",
	[426] = "io_uring_enter", [427] = "io_uring_register", [428] = "open_tree",
	[429] = "move_mount", [430] = "fsopen", [431] = "fsconfig", [432] = "fsmount",
	[433] = "fspick", [434] = "pidfd_open", [435] = "clone3",
	[436] = "close_range", [437] = "openat2", [438] = "pidfd_getfd",
	[439] = "faccessat2", [440] = "process_madvise", [441] = "epoll_pwait2",
	[442] = "mount_setattr", [443] = "quotactl_fd",
	[444] = "landlock_create_ruleset", [445] = "landlock_add_rule",
	[446] = "landlock_restrict_self", [447] = "memfd_secret",
	[448] = "process_mrelease", [449] = "futex_waitv",
	[450] = "set_mempolicy_home_node", [451] = "cachestat", [452] = "fchmodat2",
	[453] = "map_shadow_stack", [454] = "futex_wake", [455] = "futex_wait",
	[456] = "futex_requeue", [457] = "statmount", [458] = "listmount",
	[459] = "lsm_get_self_attr", [460] = "lsm_set_self_attr",
	[461] = "lsm_list_modules", [462] = "mseal", [463] = "setxattrat",
	[464] = "getxattrat", [465] = "listxattrat", [466] = "removexattrat",
	[467] = "open_tree_attr", [468] = "file_getattr", [469] = "file_setattr",
	[470] = "listns", [471] = "rseq_slice_yield", [472] = "fchroot",
};

/* The name of @nr as the host reads it (32 bits, the x32 bit apart) */
static inline const char *stub_sysname(long nr)
{
	static char buf[64];
	unsigned int n = (unsigned int)nr & ~0x40000000U;
	const char *name = n < sizeof(stub_sysnames) / sizeof(stub_sysnames[0]) &&
			   stub_sysnames[n] ? stub_sysnames[n] : "?";

	if ((unsigned long)nr == n)
		return name;
	snprintf(buf, sizeof(buf), "%s%s%s", (unsigned int)nr & 0x40000000U ?
		 "x32 " : "", name, (unsigned long)nr >> 32 ?
		 ", upper half set" : "");
	return buf;
}

/* --- harmless arguments for any call ------------------------------------ */

/*
 * A call made through the stub page with these arguments changes nothing
 * outside the calling process if it reaches the host (upstream's filter
 * kills the process for most of them before they run; with the option on
 * they must be refused): all zero, but where zero would touch the stub's
 * socket (fd 0), remove a System V object (IPC_RMID is 0), make one (key 0
 * is IPC_PRIVATE), create a process, unload a kexec image, set the host
 * name or switch off process accounting. @scratch: a zeroed page ("").
 */
static inline void stub_harmless_args(long nr, long a[6], void *scratch)
{
	memset(a, 0, 6 * sizeof(a[0]));
	switch ((int)nr) {
	case SYS_read: case SYS_write: case SYS_pread64: case SYS_pwrite64:
	case SYS_readv: case SYS_writev: case SYS_preadv: case SYS_pwritev:
	case SYS_preadv2: case SYS_pwritev2: case SYS_sendfile:
	case SYS_sendto: case SYS_recvfrom: case SYS_sendmmsg:
	case SYS_recvmmsg: case SYS_splice: case SYS_tee: case SYS_vmsplice:
	case SYS_copy_file_range: case SYS_finit_module: case SYS_sendmsg:
	case SYS_pidfd_send_signal: case SYS_process_madvise:
	case SYS_process_mrelease:
		a[0] = -1;	/* not the socket: no record sent or eaten */
		break;
	case SYS_shutdown:
		a[1] = 99;	/* no such "how" */
		break;
	case SYS_shmctl: case SYS_msgctl:
		a[1] = -1;	/* not IPC_RMID */
		break;
	case SYS_semctl:
		a[2] = -1;
		break;
	case SYS_shmget: case SYS_semget: case SYS_msgget: case SYS_shmat:
		a[0] = -1;	/* not IPC_PRIVATE, no such id */
		break;
	case SYS_clone:
		a[0] = 0x800;	/* CLONE_SIGHAND without CLONE_VM: -EINVAL */
		break;
	case SYS_ptrace:
		a[0] = 3;	/* PTRACE_PEEKUSER of pid 0: -ESRCH, not TRACEME */
		break;
	case SYS_acct:
		a[0] = (long)scratch;	/* "": -ENOENT, not "switch off" */
		break;
	case SYS_sethostname: case SYS_setdomainname:
		a[0] = (long)scratch;
		a[1] = GADGET_PAGE;	/* too long: -EINVAL */
		break;
	case SYS_kexec_load:
		a[3] = -1;	/* no such flags */
		break;
	case SYS_kexec_file_load:
		a[4] = -1;
		break;
	}
}

/*
 * Calls no argument makes harmless, never made through the stub page:
 * the reason, or NULL. (fork and vfork are made: a caller that gets 0
 * back is a host process the UML kernel does not know and must end
 * itself, see stub_end_host_child().)
 */
static inline const char *stub_never_called(long nr)
{
	switch ((int)nr) {
	case SYS_rt_sigreturn:
		return "restores whatever frame is at the stack pointer; the SIGALRM cases make it with a frame of their own";
	case SYS_vhangup:
		return "would hang up the host's terminal if it reached the host; it takes no argument to make it harmless";
	default:
		return NULL;
	}
}

/*
 * We are a host process made by a fork() or vfork() through the stub page
 * that should have been refused: leave without a system call of the
 * guest's (the UML kernel does not know this process).
 */
static inline void __attribute__((noreturn))
stub_end_host_child(const struct stub_gadget *g)
{
	for (;;) {
		stub_call6(g, SYS_exit_group, 99, 0, 0, 0, 0, 0);
		stub_call6(g, SYS_pause, 0, 0, 0, 0, 0, 0);
	}
}

/* --- the kernel log ----------------------------------------------------- */

/*
 * Call @fn on the text of each kernel log record after sequence number
 * @after (from /dev/kmsg). Returns the last sequence number seen, -1 if
 * the log cannot be read.
 */
static inline long long stub_kmsg_each(long long after,
				       void (*fn)(const char *msg, void *ctx),
				       void *ctx)
{
	char rec[2048];
	long long seq = after;
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 ||
	       (n < 0 && errno == EPIPE)) {
		long long s;
		char *msg, *p;

		if (n < 0)
			continue;	/* records were overwritten: go on */
		rec[n] = '\0';
		if (sscanf(rec, "%*d,%lld", &s) != 1)
			continue;
		seq = s;
		msg = strchr(rec, ';');
		if (s <= after || !msg)
			continue;
		p = strchr(++msg, '\n');
		if (p)
			*p = '\0';
		if (fn)
			fn(msg, ctx);
	}
	close(fd);
	return seq;
}

/* The line the kernel logs when it refuses a call from the stub page */
static inline void stub_denial_line(char *buf, size_t size, const char *comm,
				    int pid, long nr)
{
	snprintf(buf, size, "uml-stub: %s[%d]: denied host call %d from the stub page",
		 comm, pid, (int)nr);
}

/*
 * "FUNC: N callbacks suppressed" (lib/ratelimit.c) from a function of the
 * stub code (its name has "stub" in it): N, else 0.
 */
static inline int stub_suppressed_count(const char *msg)
{
	char func[64];
	int n;

	if (sscanf(msg, "%63[^:]: %d callbacks suppressed", func, &n) != 2)
		return 0;
	return strstr(func, "stub") ? n : 0;
}

#endif
