# Reference values for tests/test_freetext.py (issue 13).  Run: Rscript freetext_reference.R
# The values in the tests are those stated in issue 13; this script reproduces them in R.
library(MASS)

# Fisher's Caithness eye colour x hair colour table (MASS::caith)
caith_m <- matrix(c(326, 38, 241, 110, 3,
                    688, 116, 584, 188, 4,
                    343, 84, 909, 412, 26,
                     98, 48, 403, 681, 85), nrow = 4, byrow = TRUE)
print(corresp(caith_m, nf = 3)$cor)            # 0.44636840 0.17345540 0.02931691
print(chisq.test(caith_m)$stdres[1, 1])        # 11.9239 (Haberman's adjusted residual)

t22 <- matrix(c(12, 8, 5, 15), nrow = 2, byrow = TRUE)
print(chisq.test(t22))                         # X-squared = 3.6829, p-value = 0.05497 (Yates)
print(chisq.test(t22, correct = FALSE))        # X-squared = 5.0128, p-value = 0.02516

# Fisher's exact test of [[3, 7], [0, 10]]: p = 2 * choose(10, 3) / choose(20, 3) = 0.2105263
print(fisher.test(matrix(c(3, 7, 0, 10), nrow = 2, byrow = TRUE))$p.value)
