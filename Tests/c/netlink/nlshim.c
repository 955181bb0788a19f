/* Fault injection for the netlink differential test: an LD_PRELOAD library that
 * wraps the socket calls both libraries make (socket, setsockopt, bind,
 * getsockname, send/sendto, recvmsg) and, in the mode the probe selects through
 * nlshim_set(), makes one of them fail or rewrites the kernel's reply before
 * the library parses it. Mode "" passes everything through. The same shim is
 * loaded for the reference run and for ours, so both see the same faults. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/pkt_cls.h>

static char mode[64];
static int recv_count;

void nlshim_set(const char *m)
{
	strncpy(mode, m ? m : "", sizeof(mode) - 1);
	recv_count = 0;
}

static int is(const char *m) { return strcmp(mode, m) == 0; }

#define REAL(ret, name, ...) \
	static ret (*real)(__VA_ARGS__); \
	if (!real) real = (ret (*)(__VA_ARGS__))dlsym(RTLD_NEXT, name)

int socket(int d, int t, int p)
{
	REAL(int, "socket", int, int, int);
	if (d == AF_NETLINK && is("socketfail")) { errno = EMFILE; return -1; }
	return real(d, t, p);
}

int setsockopt(int fd, int level, int name, const void *v, socklen_t l)
{
	REAL(int, "setsockopt", int, int, int, const void *, socklen_t);
	if (level == SOL_NETLINK && name == NETLINK_EXT_ACK && is("noextack")) { errno = ENOPROTOOPT; return -1; }
	return real(fd, level, name, v, l);
}

int bind(int fd, const struct sockaddr *a, socklen_t l)
{
	REAL(int, "bind", int, const struct sockaddr *, socklen_t);
	if (a && a->sa_family == AF_NETLINK && is("bindfail")) { errno = EADDRINUSE; return -1; }
	return real(fd, a, l);
}

int getsockname(int fd, struct sockaddr *a, socklen_t *l)
{
	REAL(int, "getsockname", int, struct sockaddr *, socklen_t *);
	if (is("gsnfail")) { errno = ENOTSOCK; return -1; }
	int r = real(fd, a, l);
	if (r == 0 && is("gsnlen")) *l = 8;
	return r;
}

ssize_t sendto(int fd, const void *b, size_t n, int f, const struct sockaddr *a, socklen_t l)
{
	REAL(ssize_t, "sendto", int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	if (is("sendfail")) { errno = ENOBUFS; return -1; }
	return real(fd, b, n, f, a, l);
}

ssize_t send(int fd, const void *b, size_t n, int f) { return sendto(fd, b, n, f, NULL, 0); }

/* Rewrites of one received datagram of r bytes (applied to the MSG_PEEK copy and
 * to the real read alike). */
static void rewrite(unsigned char *buf, size_t r)
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	size_t left = r;

	if (is("badpid")) h->nlmsg_pid += 1;
	if (is("badseq")) h->nlmsg_seq += 1;
	for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
		if (h->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(h);
			if (is("noacktlvs")) h->nlmsg_flags &= ~NLM_F_ACK_TLVS;
			if (is("capped") && e->error) h->nlmsg_flags |= NLM_F_CAPPED;
			if (is("errpos") && e->error) e->error = -e->error;
			if (is("ackerr") && !e->error) e->error = -EPERM;
			if ((h->nlmsg_flags & NLM_F_ACK_TLVS) && e->error) {
				unsigned char *t = (unsigned char *)e + sizeof(*e) +
					((h->nlmsg_flags & NLM_F_CAPPED) ? 0 : e->msg.nlmsg_len - sizeof(struct nlmsghdr));
				struct nlattr *a = (struct nlattr *)t;
				if (is("tlvbadlen")) a->nla_len = 200;
				if (is("tlvshortlen")) a->nla_len = 2;
				if (is("tlvnonul")) a->nla_len = a->nla_len - 2;
				if (is("tlvtypebits")) a->nla_type |= NLA_F_NESTED;
				if (is("tlvempty")) a->nla_len = 4;
				if (is("tlvdup") && a->nla_len >= 24) {
					unsigned l = a->nla_len;
					struct nlattr *b = (struct nlattr *)(t + 12);
					a->nla_len = 12;
					t[11] = 0;
					b->nla_len = l - 12;
					b->nla_type = a->nla_type;
				}
			}
		}
		if (h->nlmsg_type == NLMSG_DONE && is("donerr")) *(int *)NLMSG_DATA(h) = -EPERM;
		if (h->nlmsg_type == RTM_NEWLINK && is("linkmulti")) h->nlmsg_flags |= NLM_F_MULTI;
		if (h->nlmsg_type == RTM_NEWTFILTER) {
			struct tcmsg *tm = NLMSG_DATA(h);
			unsigned char *p = (unsigned char *)tm + NLMSG_ALIGN(sizeof(*tm));
			unsigned char *end = (unsigned char *)h + h->nlmsg_len;
			if (is("tf_type")) h->nlmsg_type = RTM_NEWQDISC;
			if (is("tf_noecho")) h->nlmsg_flags &= ~NLM_F_ECHO;
			if (is("tf_handle")) tm->tcm_handle = 0x1234;
			if (is("tf_info")) tm->tcm_info = 0x00050300;
			while (p + 4 <= end) {
				struct nlattr *a = (struct nlattr *)p;
				if (a->nla_len < 4) break;
				if ((a->nla_type & NLA_TYPE_MASK) == TCA_KIND && is("tf_kind")) ((char *)(a + 1))[0] = 'x';
				if ((a->nla_type & NLA_TYPE_MASK) == TCA_KIND && is("tf_nokind")) a->nla_type = 0x3000;
				if ((a->nla_type & NLA_TYPE_MASK) == TCA_OPTIONS) {
					unsigned char *q = (unsigned char *)(a + 1), *qe = p + a->nla_len;
					if (is("tf_noopts")) a->nla_type = 0x3000;
					while (q + 4 <= qe) {
						struct nlattr *b = (struct nlattr *)q;
						if (b->nla_len < 4) break;
						if (b->nla_type == TCA_BPF_ID && is("tf_noid")) b->nla_type = 0x3000;
						if (b->nla_type == TCA_BPF_ID && is("tf_id0")) *(unsigned *)(b + 1) = 0;
						q += NLA_ALIGN(b->nla_len);
					}
				}
				p += NLA_ALIGN(a->nla_len);
			}
		}
	}
}

ssize_t recvmsg(int fd, struct msghdr *m, int f)
{
	REAL(ssize_t, "recvmsg", int, struct msghdr *, int);
	recv_count++;
	if (is("recv_eagain_once") && recv_count == 1) { errno = EAGAIN; return -1; }
	if (is("recv_eintr_once") && recv_count == 1) { errno = EINTR; return -1; }
	if (is("recv_enobufs")) { errno = ENOBUFS; return -1; }
	if (is("recv_enobufs_real") && recv_count == 2) { errno = ENOBUFS; return -1; }
	if (is("recv_zero")) return 0;
	ssize_t r = real(fd, m, f);
	if (r >= (ssize_t)sizeof(struct nlmsghdr) && m->msg_iov && m->msg_iov[0].iov_len >= sizeof(struct nlmsghdr))
		rewrite(m->msg_iov[0].iov_base, (size_t)r < m->msg_iov[0].iov_len ? (size_t)r : m->msg_iov[0].iov_len);
	return r;
}
