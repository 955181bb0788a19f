/* CO-RE test: against main.btf: layouts that differ, two agreeing candidates (foo, foo___v2), bitfields needing wider loads, arrays and flexible arrays, anonymous members, const/volatile, typedefs, function pointers, float typedefs, enums (signed, enum64, flavored), stores. */
/* CO-RE against a hand-built target BTF (main.btf via btf_custom_path). */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define bpf_core_field_signed(f...) __builtin_preserve_field_info(___bpf_field_ref(f), BPF_FIELD_SIGNED)
#define bpf_core_field_lshift(f...) __builtin_preserve_field_info(___bpf_field_ref(f), BPF_FIELD_LSHIFT_U64)
#define bpf_core_field_rshift(f...) __builtin_preserve_field_info(___bpf_field_ref(f), BPF_FIELD_RSHIFT_U64)

char LICENSE[] SEC("license") = "GPL";

struct foo {
	int a;
	long b;
	int pad2;
	unsigned int c: 3, d: 5;
	int e: 7;
	char arr[16];
	struct { int x, y; };
	union { long u1; int u2; };
	int flex[];
} __attribute__((preserve_access_index));

struct foo___v3 {
	int a;
	int nope;
} __attribute__((preserve_access_index));

typedef int myint_t;
typedef struct foo foo_t;
typedef float fl_t;
typedef int (*cb_t)(int, long);
typedef int (*cb2_t)(int);

struct node {
	struct foo *f;
	int grid[3][4];
	unsigned long small;
	long sgn;
	struct foo *ptr;
	int missing;
} __attribute__((preserve_access_index));

struct wide {
	unsigned long long w: 40;
	unsigned long long pad: 24;
	unsigned int v: 10;
	char z;
} __attribute__((preserve_access_index));

struct cv {
	int v;
} __attribute__((preserve_access_index));

enum color { RED = 1, GREEN = 2, BLUE = -3, PURPLE = 7 };
enum big { BIG1 = 0xffffffff00000001ULL, BIG2 = 5 };
enum mode { MODE_A = 1, MODE_B = 2 };
enum color___old { RED___old = 1, YELLOW___old = 9 };

volatile long out[128];

SEC("kprobe/x")
int fields(void *ctx)
{
	struct foo *f = (void *)(long)out[100];
	struct node *n = (void *)(long)out[101];
	struct wide *w = (void *)(long)out[102];
	struct foo___v3 *f3 = (void *)(long)out[103];
	struct cv *cv = (void *)(long)out[104];

	out[0] = BPF_CORE_READ(f, a);
	out[1] = BPF_CORE_READ(f, b);
	out[2] = BPF_CORE_READ_BITFIELD_PROBED(f, c);
	out[3] = BPF_CORE_READ_BITFIELD_PROBED(f, d);
	out[4] = BPF_CORE_READ_BITFIELD_PROBED(f, e);
	out[5] = BPF_CORE_READ(f, arr[3]);
	out[6] = bpf_core_field_size(f->arr);
	out[7] = BPF_CORE_READ(f, x);
	out[8] = BPF_CORE_READ(f, y);
	out[9] = BPF_CORE_READ(f, u2);
	out[10] = BPF_CORE_READ(f, flex[7]);
	out[11] = bpf_core_field_offset(f->flex[2]);
	out[12] = BPF_CORE_READ(n, grid[2][1]);
	out[13] = bpf_core_field_offset(n->grid[1]);
	out[14] = bpf_core_field_size(n->grid[1]);
	out[15] = BPF_CORE_READ(n, f, a);
	out[16] = BPF_CORE_READ_BITFIELD_PROBED(w, w);
	out[17] = BPF_CORE_READ_BITFIELD_PROBED(w, v);
	out[18] = BPF_CORE_READ(w, z);
	out[19] = bpf_core_field_exists(f3->a);
	out[20] = bpf_core_field_exists(f3->nope);
	out[21] = bpf_core_field_exists(n->missing);
	out[22] = bpf_core_field_signed(f->e);
	out[23] = bpf_core_field_signed(f->c);
	out[24] = bpf_core_field_lshift(f->d);
	out[25] = bpf_core_field_rshift(f->d);
	out[26] = bpf_core_field_lshift(w->v);
	out[27] = BPF_CORE_READ(cv, v);

	return 0;
}

SEC("kprobe/y")
int direct(void *ctx)
{
	struct foo *f = (void *)(long)out[100];
	struct node *n = (void *)(long)out[101];
	struct foo___v3 *f3 = (void *)(long)out[103];

	out[30] = f->a;
	out[31] = f->b;
	out[32] = n->small;
	out[33] = n->sgn;
	out[34] = (long)n->ptr;
	out[35] = n->grid[1][2];
	out[36] = f3->nope;
	out[37] = n->missing;
	n->small = 5;
	f->a = 7;
	return 0;
}

SEC("kprobe/z")
int types(void *ctx)
{
	out[40] = bpf_core_type_exists(struct foo);
	out[41] = bpf_core_type_size(struct foo);
	out[42] = bpf_core_type_id_kernel(struct node);
	out[43] = bpf_core_type_id_local(struct foo);
	out[44] = bpf_core_type_exists(foo_t);
	out[45] = bpf_core_type_size(foo_t);
	out[46] = bpf_core_type_exists(myint_t);
	out[47] = bpf_core_type_exists(fl_t);
	out[48] = bpf_core_type_exists(cb_t);
	out[49] = bpf_core_type_exists(cb2_t);
	out[50] = bpf_core_type_matches(struct foo);
	out[51] = bpf_core_type_matches(struct node);
	out[52] = bpf_core_type_matches(enum color);
	out[53] = bpf_core_type_matches(myint_t);
	out[54] = bpf_core_type_matches(cb_t);
	out[55] = bpf_core_type_size(struct wide);
	out[56] = bpf_core_type_id_kernel(struct wide);
	out[57] = bpf_core_type_exists(struct foo___v3);
	out[58] = bpf_core_type_size(enum big);
	out[59] = bpf_core_type_matches(struct wide);
	out[60] = bpf_core_type_exists(myint_t);
	out[61] = bpf_core_type_size(myint_t);
	out[62] = bpf_core_type_matches(fl_t);
	return 0;
}

SEC("kprobe/w")
int enums(void *ctx)
{
	out[70] = bpf_core_enum_value(enum color, RED);
	out[71] = bpf_core_enum_value(enum color, BLUE);
	out[72] = bpf_core_enum_value_exists(enum color, PURPLE);
	out[73] = bpf_core_enum_value(enum color, PURPLE);
	out[74] = bpf_core_enum_value(enum big, BIG1);
	out[75] = bpf_core_enum_value(enum big, BIG2);
	out[76] = bpf_core_enum_value(enum mode, MODE_A);
	out[77] = bpf_core_enum_value(enum mode, MODE_B);
	out[78] = bpf_core_enum_value_exists(enum color___old, YELLOW___old);
	out[79] = bpf_core_enum_value(enum color___old, RED___old);
	return 0;
}
