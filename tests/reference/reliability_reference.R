# Reference values for tests/test_reliability.py.  Run: Rscript tests/reference/reliability_reference.R
# Data: reliability_bfi_a.csv (psych bfi rows 1-52, A1:A5, 6-point, A1 reverse keyed).
suppressMessages(library(psych))
x <- read.csv("tests/reference/reliability_bfi_a.csv")
x$A1 <- 7 - x$A1                       # reverse coding 1..6
x <- x[complete.cases(x), ]
options(digits = 10)
a <- psych::alpha(x)
cat("n", nrow(x), "\n")
cat("raw_alpha", a$total$raw_alpha, "\n")
ci <- psych::alpha.ci(a$total$raw_alpha, n.obs = nrow(x), n.var = ncol(x), p.val = .05, digits = 10)
print(ci)
cat("feldt", unlist(a$feldt[c("lower.ci", "upper.ci")]), "\n")
cat("alpha.drop raw_alpha", a$alpha.drop$raw_alpha, "\n")
cat("item.stats r.drop", a$item.stats$r.drop, "\n")
o <- suppressWarnings(psych::omega(x, nfactors = 1, plot = FALSE))
cat("omega.tot", o$omega.tot, "\n")
f <- psych::fa(x, nfactors = 1, fm = "minres")
cat("minres loadings", as.numeric(f$loadings), "\n")
# a 3-item subset (A2, A3, A5) for a second omega value
o3 <- suppressWarnings(psych::omega(x[, c("A2", "A3", "A5")], nfactors = 1, plot = FALSE))
cat("omega.tot A2 A3 A5", o3$omega.tot, "\n")
a3 <- psych::alpha(x[, c("A2", "A3", "A5")])
cat("raw_alpha A2 A3 A5", a3$total$raw_alpha, "\n")
