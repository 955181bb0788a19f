extern int dup_fn(int x, int y);
int use_fn(void) { return dup_fn(1, 2); }
