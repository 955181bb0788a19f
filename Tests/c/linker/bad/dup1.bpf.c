int dup_fn(int x) { return x + 1; }
int dup_var = 1;
