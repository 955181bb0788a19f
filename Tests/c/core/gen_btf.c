/* Hand-built target BTFs for the CO-RE tests (raw BTF files loaded through
 * btf_custom_path): main.btf (layouts that differ from the local ones,
 * flavors, bitfields, arrays, enums, typedefs, function pointers, a float),
 * ambig_offset.btf / ambig_value.btf (candidates that disagree) and
 * bad_fields.btf (an unreadable bitfield, an offset too big for LDX).
 * Usage: gen_btf OUTDIR */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <bpf/btf.h>

static void save(struct btf *btf, const char *path)
{
	__u32 size;
	const void *data = btf__raw_data(btf, &size);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size) { perror(path); exit(1); }
	fclose(f);
	btf__free(btf);
}

static int foo_struct(struct btf *b, const char *name, int t_int, int t_uint, int t_long, int t_chararr,
		      int t_anon_s, int t_anon_u, int t_flex)
{
	int id = btf__add_struct(b, name, 60);
	btf__add_field(b, "pad", t_long, 0, 0);
	btf__add_field(b, "b", t_long, 64, 0);
	btf__add_field(b, "a", t_int, 128, 0);
	btf__add_field(b, "c", t_uint, 160, 3);
	btf__add_field(b, "d", t_uint, 163, 5);
	btf__add_field(b, "e", t_int, 168, 7);
	btf__add_field(b, "arr", t_chararr, 192, 0);
	btf__add_field(b, NULL, t_anon_s, 320, 0);
	btf__add_field(b, NULL, t_anon_u, 384, 0);
	btf__add_field(b, "flex", t_flex, 448, 0);
	return id;
}

static void main_btf(const char *path)
{
	struct btf *b = btf__new_empty();
	int t_int = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	int t_uint = btf__add_int(b, "unsigned int", 4, 0);
	int t_long = btf__add_int(b, "long", 8, BTF_INT_SIGNED);
	int t_ulong = btf__add_int(b, "unsigned long", 8, 0);
	int t_char = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
	int t_chararr = btf__add_array(b, t_int, t_char, 16);
	int t_anon_s = btf__add_struct(b, NULL, 8);
	btf__add_field(b, "x", t_int, 0, 0);
	btf__add_field(b, "y", t_int, 32, 0);
	int t_anon_u = btf__add_union(b, NULL, 8);
	btf__add_field(b, "u1", t_long, 0, 0);
	btf__add_field(b, "u2", t_int, 0, 0);
	int t_flex = btf__add_array(b, t_int, t_int, 0);
	int t_foo = foo_struct(b, "foo", t_int, t_uint, t_long, t_chararr, t_anon_s, t_anon_u, t_flex);
	foo_struct(b, "foo___v2", t_int, t_uint, t_long, t_chararr, t_anon_s, t_anon_u, t_flex);
	/* a union of the same name: never a candidate of a struct */
	int u = btf__add_union(b, "foo", 8);
	btf__add_field(b, "a", t_long, 0, 0);
	(void)u;
	int e = btf__add_enum(b, "color", 4);
	btf__add_enum_value(b, "RED", 1);
	btf__add_enum_value(b, "GREEN", 2);
	btf__add_enum_value(b, "BLUE", -3);
	btf__add_enum64(b, "big", 8, false);
	btf__add_enum64_value(b, "BIG1", 0xffffffff00000001ULL);
	btf__add_enum64_value(b, "BIG2", 5);
	btf__add_typedef(b, "myint_t", t_int);
	btf__add_typedef(b, "foo_t", t_foo);
	int t_pfoo = btf__add_ptr(b, t_foo);
	int t_row = btf__add_array(b, t_int, t_int, 4);
	int t_grid = btf__add_array(b, t_int, t_row, 3);
	int t_node = btf__add_struct(b, "node", 72);
	btf__add_field(b, "f", t_pfoo, 0, 0);
	btf__add_field(b, "grid", t_grid, 64, 0);
	btf__add_field(b, "small", t_uint, 448, 0);
	btf__add_field(b, "sgn", t_int, 480, 0);
	btf__add_field(b, "ptr", t_pfoo, 512, 0);
	(void)t_node;
	int t_float = btf__add_float(b, "float", 4);
	btf__add_typedef(b, "fl_t", t_float);
	btf__add_fwd(b, "opaque", BTF_FWD_STRUCT);
	int fp = btf__add_func_proto(b, t_int);
	btf__add_func_param(b, "a", t_int);
	btf__add_func_param(b, "b", t_long);
	btf__add_typedef(b, "cb_t", btf__add_ptr(b, fp));
	btf__add_typedef(b, "cb2_t", btf__add_ptr(b, fp));
	int t_ull = btf__add_int(b, "unsigned long long", 8, 0);
	int w = btf__add_struct(b, "wide", 16);
	btf__add_field(b, "w", t_ull, 20, 40);
	btf__add_field(b, "v", t_uint, 28, 10);
	btf__add_field(b, "z", t_char, 64, 0);
	(void)w; (void)e; (void)t_ulong;
	/* enum with a flavored name in the target only */
	int e2 = btf__add_enum(b, "mode___new", 4);
	btf__add_enum_value(b, "MODE_A", 10);
	btf__add_enum_value(b, "MODE_B___v2", 20);
	(void)e2;
	/* const/volatile chains */
	int t_cv = btf__add_volatile(b, btf__add_const(b, t_int));
	int cv = btf__add_struct(b, "cv", 8);
	btf__add_field(b, "v", t_cv, 32, 0);
	(void)cv;
	save(b, path);
}

/* two candidates disagreeing on a field offset */
static void ambig_offset(const char *path)
{
	struct btf *b = btf__new_empty();
	int t_int = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	btf__add_struct(b, "amb", 4);
	btf__add_field(b, "a", t_int, 0, 0);
	btf__add_struct(b, "amb___x", 8);
	btf__add_field(b, "pad", t_int, 0, 0);
	btf__add_field(b, "a", t_int, 32, 0);
	save(b, path);
}

/* two candidates disagreeing on a size */
static void ambig_value(const char *path)
{
	struct btf *b = btf__new_empty();
	int t_int = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	btf__add_struct(b, "amb", 4);
	btf__add_field(b, "a", t_int, 0, 0);
	btf__add_struct(b, "amb___x", 8);
	btf__add_field(b, "a", t_int, 0, 0);
	btf__add_field(b, "b", t_int, 32, 0);
	save(b, path);
}

/* a bitfield no 64-bit load can read, and an offset too big for LDX */
static void bad_fields(const char *path)
{
	struct btf *b = btf__new_empty();
	int t_ull = btf__add_int(b, "unsigned long long", 8, 0);
	int t_int = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	btf__add_struct(b, "straddle", 16);
	btf__add_field(b, "s", t_ull, 60, 8);
	btf__add_struct(b, "far", 40008);
	btf__add_field(b, "x", t_int, 40000 * 8, 0);
	save(b, path);
}

int main(int argc, char **argv)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/main.btf", argv[1]); main_btf(p);
	snprintf(p, sizeof(p), "%s/ambig_offset.btf", argv[1]); ambig_offset(p);
	snprintf(p, sizeof(p), "%s/ambig_value.btf", argv[1]); ambig_value(p);
	snprintf(p, sizeof(p), "%s/bad_fields.btf", argv[1]); bad_fields(p);
	return 0;
}
