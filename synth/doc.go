// Package synth generates seeded synthetic data shaped like the Open
// University Learning Analytics Dataset (OULAD; Kuzilek, Hlosta and Zdrahal
// 2017), with known relationships planted in it so that the results of the
// built-in demo can be read against them.
//
// # Files
//
// WriteOULAD and OULADFS produce the seven OULAD tables with the real names
// and header lines (courses.csv, assessments.csv, vle.csv, studentInfo.csv,
// studentRegistration.csv, studentAssessment.csv, studentVle.csv). As in the
// real files every field is double-quoted, every line (the last included)
// ends in CRLF and a missing value is written "". The copy of the real data
// this was checked against (/work/shared/data/oulad) marks missing values
// with "" only and holds no "?", so neither does the generator. Empty values
// occur where the real files have them: imd_band (3.4%; 40% of "North
// Region" and 22% of "Ireland", as in the real data), score (0.1% of TMA
// rows), date of exams without a date, date_registration (0.14%),
// date_unregistration (everyone but Withdrawn; 0.9% of Withdrawn), week_from
// and week_to (most sites). The IMD band "10-20" keeps the real file's missing
// percent sign.
//
// Row order follows the real files: courses by module, J before B, then
// year; the other tables by module and presentation code; studentInfo and
// studentRegistration by id_student; studentAssessment by id_assessment then
// id_student. studentVle differs: its rows are grouped by registration and
// ordered by day (the real file is ordered by day, then student), so it can
// be written streaming; there is one row per student, site and day (the real
// file repeats some). Every registration has its own id_student (the real
// data reuses ids for students who re-register).
//
// # Structure
//
// Seven modules AAA..GGG in the 22 real module presentations (2013B, 2013J,
// 2014B, 2014J; not every module in every presentation) with the real lengths
// (234..269 days). Registrations are allocated to presentations in proportion
// to the real 32,593. Each module has an assessment template modelled on the
// real one (TMAs and CMAs with dates and weights, an exam whose date is empty
// for AAA, BBB and CCC and the last day otherwise; FFF and GGG have weight-0
// CMAs due at the exam, submitted any time), dates scaled to the length and
// jittered by up to 3 days; exam results appear in studentAssessment for CCC
// and DDD only, as in the real data. Each presentation has about the real
// number of VLE sites (one homepage, other activity types in the real
// proportions: resource, subpage, oucontent, url, forumng, quiz, ...); the
// rows of studentVle by type come out close to the real shares (forumng ~40%,
// homepage ~19%, oucontent ~15%, subpage ~9%). Demographics are drawn with
// the real marginal frequencies. Registration and unregistration dates follow
// the real quantiles (registration mostly -322..-2; of dated withdrawals ~30%
// on or before day 0 and ~51% before day 28).
//
// # Planted model
//
// Per registration: ability A = s_demo + Z_a, with s_demo = +0.5 post-graduate,
// +0.25 HE, 0 A level, -0.3 lower than A level, -0.5 no formal
// qualifications, +0.05 per IMD decile above the middle, +0.15 aged 35 or
// more; early engagement E = 0.5 Z_a + 0.87 Z_1 (days <= 28); late engagement
// L = 0.88 E + 0.47 Z_2 (days >= 84; linear in between); all Z independent
// N(0, 1).
//
// Outcome. P(Fail or Withdrawn) = logistic(-0.3 + m + k (-1.4 L - 0.6 A)
// + 0.30 [2014] + 0.15 [B presentation] + 0.35 min(previous attempts, 3)
// + 0.35 [studied_credits >= 120] - 0.2 [aged 35 or more] + 0.7 [disability Y]),
// module shift m: AAA -0.9, CCC and DDD +0.15, EEE -0.25, GGG -0.15, others 0;
// k = 1, or 0.4 for disability Y. An at-risk student is Withdrawn with
// probability logistic(-0.05 + w - 0.8 L + 0.35 [studied_credits >= 120]),
// w: CCC +0.9, DDD +0.1, EEE -0.2, GGG -1.4; else Fail. Others get
// Distinction with probability logistic(-2.4 + 1.4 A), else Pass.
//
// Behaviour uses the observed engagement g e(d), where e(d) is E, L or their
// blend on day d, lowered for Fail students by up to 2.5 between a fade start
// (uniform on days 30..120) and the end, and for Withdrawn students by up to
// 1.0 over the 14 days before they stop; g = 1, or 0.4 for disability Y.
//   - Clicks: each day from the later of registration and the presentation's
//     first VLE day (-10..-25) to the end (or the withdrawal day) is active
//     with probability logistic(-0.835 + 1.1 g e(d) - 0.25 [2014] + 0.3
//     [disability Y] - 0.35 [weekend] + 0.6 [a TMA/CMA due within 3 days] -
//     0.9 [before day 0]). An active day has a homepage row (probability
//     0.95) and Poisson(3.55 exp(0.15 g e)) rows for other distinct sites
//     chosen by popularity; sum_click is geometric on 1, 2, ... with the
//     site type's mean (1.1..4.6) times a student factor exp(0.3 Z), a day
//     factor exp(0.5 Z) and exp(0.15 g e).
//   - Submissions: a TMA/CMA is submitted with probability logistic(b + 1.2 g
//     e(due)), b = 3.0 Pass, 3.8 Distinction, 1.2 Fail and Withdrawn, never
//     after unregistration or before registration. Day: due + round(-1.5 -
//     0.6 g e + 2.5 Z), or with probability logistic(-1.6 - 0.7 g e) late by
//     1 + round(Exp(mean 5)) days (about 25% late overall; real 30%).
//   - Scores: TMA 72 + 9 A + r + 11 Z, CMA 82 + 9 A + r + 15 Z, rounded and
//     clipped to 0..100; r = +8 Distinction, -8 Fail, -6 Withdrawn, 0 Pass.
//     12% of students with previous attempts bank all TMAs (is_banked 1, day
//     -1). Exams (CCC, DDD): sat by 97% of Pass/Distinction and 60% of Fail
//     students, score in 70..100, 40..100 and 0..39 respectively.
//   - Withdrawal day: the real unregistration-date distribution at quantile
//     Phi(a (E + 0.55) + sqrt(1 - a^2) Z) with a = 0.75 g, so low early
//     engagement means early withdrawal; for disability Y the quantile is
//     moved to 0.3 + 0.7 u (they persist longer).
//
// # Planted effects and what they produce
//
// Measured with Seed 1 at the real size (32,593 registrations). At the demo
// size (4,000) the same quantities vary by about +-0.01 overall and +-0.03 in
// the disability group; e.g. Seed 1 at 4,000 gives AUC 0.826 (0.773 on
// students still registered at day 28), disability-group AUC 0.744 vs 0.831.
//   - Outcome mix: Pass 38.6%, Withdrawn 31.3%, Fail 20.8%, Distinction 9.3%
//     (real 37.9, 31.2, 21.6, 9.3). studentVle: 10,660,949 rows (real
//     10,655,280); studentAssessment 185,039 (real 173,912).
//   - Early engagement: students ending Fail/Withdrawn have about 40% of the
//     clicks of Pass/Distinction in days <= 28 (124 vs 324) and miss more of
//     the assessments due by day 28 (0.46 vs 0.07 per student). A logistic
//     model on day-28 features (log early clicks, active days, missed early
//     assessments, mean early score, disability) reaches AUC 0.842 in
//     sample, 0.787 when fitted and scored only on students still registered
//     at day 28 (neither unregistered on or before day 28 nor registered
//     after it), and 0.839 trained on 2013 and tested on 2014.
//   - Drift (2014 vs 2013): at-risk rate 54.4% vs 48.8%; 11% fewer early
//     clicks per student (209 vs 236), from the -0.25 activity shift at equal
//     engagement and the outcome mix. A model trained on 2013 and applied to
//     2014 under-predicts: mean predicted risk 0.503 vs observed 0.544.
//   - Disparity (disability Y, 9.7% of students): at-risk rate 64.1% vs
//     50.8%; their risk is less tied to engagement (k = 0.4), their
//     engagement shows less in behaviour (g = 0.4) and their extra VLE
//     activity (+0.3) masks it. The day-28 model's AUC within the group is
//     0.734 vs 0.849; without the disability column it catches (threshold
//     0.5) 58% of at-risk disability-Y students vs 76% of the others (a
//     higher false-negative rate); with the column it learns their base
//     rate, but the within-group AUC stays lower.
//   - Dated withdrawals: 30% on or before day 0, 51% before day 28 (real 31%
//     and 50%).
//
// # Determinism
//
// Every value comes from a math/rand/v2 PCG stream seeded from Seed and a
// stable name: the catalog ("oulad/catalog"), student ids, each student by
// id_student ("oulad/student", "oulad/clicks"). Students and click chunks are
// generated by up to min(GOMAXPROCS, 4) goroutines and written in a fixed
// order, so the same OULADConfig gives byte-identical files whatever
// GOMAXPROCS is. Changing this package's constants changes the output for a
// given seed.
package synth
