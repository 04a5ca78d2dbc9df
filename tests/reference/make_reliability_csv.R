# Writes reliability_bfi_a.csv: the first 52 rows of psych's bfi A1:A5 (agreeableness,
# 6-point scale, A1 reverse keyed), as answered (not reversed).  Run once:
#   Rscript tests/reference/make_reliability_csv.R
data(bfi, package = "psych")
x <- bfi[1:52, c("A1", "A2", "A3", "A4", "A5")]
write.csv(x, "tests/reference/reliability_bfi_a.csv", row.names = FALSE, na = "")
