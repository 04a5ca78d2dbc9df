# Reference values for tests/test_compare.py (run: Rscript compare_reference.R in this folder).
# Data: compare_answers.csv / compare_courses.csv made by compare_make_data.py.
suppressPackageStartupMessages({
  library(car); library(emmeans); library(sandwich); library(lme4); library(MASS)
})
options(digits = 10, width = 150)
d <- read.csv("compare_answers.csv", fileEncoding = "UTF-8", stringsAsFactors = FALSE)
courses <- read.csv("compare_courses.csv", fileEncoding = "UTF-8", stringsAsFactors = FALSE)
d$score <- (d$q1 + d$q2 + (6 - d$q3)) / 3          # q3 is reverse-coded
d <- merge(d, courses, by = "course_id")
d$instructor <- factor(d$instructor, levels = c("DX推進課", "ベンダーA", "元市職員"))
d$format <- factor(d$format, levels = c("in_person", "online"))
pre <- d[d$wave == "pre", ]; post <- d[d$wave == "post", ]
m <- merge(pre[, c("course_id", "respondent_key", "score", "q1")],
           post[, c("course_id", "respondent_key", "score", "q1", "instructor", "format")],
           by = c("course_id", "respondent_key"), suffixes = c("_pre", "_post"))
m$pre <- m$score_pre; m$post <- m$score_post
cat("n pairs", nrow(m), "\n")

cat("\n== ANCOVA lm(post ~ pre + instructor + format), car::Anova type 2 HC3 ==\n")
fit <- lm(post ~ pre + instructor + format, data = m)
print(coef(fit))
print(as.data.frame(Anova(fit, type = 2, white.adjust = "hc3")), digits = 10)
V <- vcovHC(fit, type = "HC3")
cat("\n-- emmeans format (HC3) --\n")
print(as.data.frame(summary(emmeans(fit, "format", vcov. = V))), digits = 10)
print(as.data.frame(summary(pairs(emmeans(fit, "format", vcov. = V), adjust = "none"), infer = TRUE)), digits = 10)
cat("\n-- emmeans instructor (HC3) --\n")
print(as.data.frame(summary(emmeans(fit, "instructor", vcov. = V))), digits = 10)
print(as.data.frame(summary(pairs(emmeans(fit, "instructor", vcov. = V), adjust = "none"), infer = TRUE)), digits = 10)
print(as.data.frame(summary(pairs(emmeans(fit, "instructor", vcov. = V), adjust = "holm"))), digits = 10)

cat("\n== gain lm(post - pre ~ instructor + format) ==\n")
g <- lm(I(post - pre) ~ instructor + format, data = m)
print(as.data.frame(Anova(g, type = 2, white.adjust = "hc3")), digits = 10)
print(as.data.frame(summary(emmeans(g, "format", vcov. = vcovHC(g, type = "HC3")))), digits = 10)

cat("\n== lmer(post ~ pre + format + (1|course_id)), REML ==\n")
mm <- lmer(post ~ pre + format + (1 | course_id), data = m, REML = TRUE)
print(fixef(mm)); print(sqrt(diag(as.matrix(vcov(mm))))); print(VarCorr(mm), comp = "Variance")
print(as.data.frame(summary(emmeans(mm, "format"))), digits = 10)

cat("\n== polr(q1_post ~ q1_pre + instructor + format), logistic ==\n")
o <- polr(factor(q1_post) ~ q1_pre + instructor + format, data = m, method = "logistic", Hess = TRUE)
print(coef(o)); print(o$zeta); print(sqrt(diag(vcov(o))))

cat("\n== unlinked: lm(score ~ wave * (instructor + format)) on all submissions ==\n")
d$wave <- factor(d$wave, levels = c("pre", "post"))
u <- lm(score ~ wave * (instructor + format), data = d)
print(as.data.frame(Anova(u, type = 2, white.adjust = "hc3")), digits = 10)
Vu <- vcovHC(u, type = "HC3")
print(as.data.frame(summary(pairs(emmeans(u, ~ wave | format, vcov. = Vu), reverse = TRUE), infer = TRUE)), digits = 10)
print(as.data.frame(summary(pairs(emmeans(u, ~ wave | instructor, vcov. = Vu), reverse = TRUE), infer = TRUE)), digits = 10)
