# Reference values for tests/test_prepost.py (R stats). Run: Rscript tests/reference/prepost_reference.R
options(digits = 12)
show <- function(label, x) cat(label, format(x, digits = 12), "\n")

# 1. paired item, 1..5, ties and zero differences (n = 20): normal approx. with correction
pre  <- c(2,3,3,4,2,3,1,4,3,2,5,3,2,4,3,3,2,1,4,3)
post <- c(3,4,3,5,4,3,2,4,4,3,5,4,2,5,4,2,3,3,4,4)
w <- suppressWarnings(wilcox.test(post, pre, paired = TRUE))
show("paired_item V", w$statistic); show("paired_item p", w$p.value)
tt <- t.test(post, pre, paired = TRUE)
show("paired_item diff CI", tt$conf.int)
show("paired_item medians", c(median(pre), median(post)))

# 2. independent item, 1..5 (n_a = 18, n_b = 22): wilcox.test(b, a) W and p
a <- c(2,3,3,1,4,2,3,2,5,3,2,1,3,4,2,3,3,2)
b <- c(4,3,5,4,2,4,3,5,4,4,3,2,5,4,3,4,1,5,4,3,4,4)
w <- suppressWarnings(wilcox.test(b, a))
show("indep_item W", w$statistic); show("indep_item p", w$p.value)
tt <- t.test(b, a, var.equal = FALSE)
show("indep_item welch CI", tt$conf.int)

# 3. paired construct (n = 12): t.test(post, pre, paired = TRUE)
pre  <- c(2.5,3.0,3.5,2.0,4.0,3.0,2.5,3.5,3.0,2.0,4.5,3.0)
post <- c(3.5,3.5,4.0,3.0,4.0,4.5,3.0,4.0,3.5,3.0,4.5,4.0)
tt <- t.test(post, pre, paired = TRUE)
show("paired_t t", tt$statistic); show("paired_t p", tt$p.value); show("paired_t CI", tt$conf.int)

# 4. independent construct (n_a = 10, n_b = 14): t.test(b, a) (Welch)
a <- c(2.5,3.0,3.5,2.0,4.0,3.0,2.5,3.5,3.0,2.0)
b <- c(3.5,3.5,4.0,3.0,4.0,4.5,3.0,4.0,3.5,3.0,4.5,4.0,5.0,2.5)
tt <- t.test(b, a, var.equal = FALSE)
show("welch t", tt$statistic); show("welch df", tt$parameter); show("welch p", tt$p.value)
show("welch CI", tt$conf.int)

# 5. exact Mann-Whitney, no ties: wilcox.test(b, a) with a = 1,2 and b = 3,4,5
w <- wilcox.test(c(3,4,5), c(1,2))
show("exact W", w$statistic); show("exact p", w$p.value)
