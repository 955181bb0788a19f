int dup_var = 2;
