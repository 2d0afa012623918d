// Package rules mines relationships between students' engagement and their
// outcomes: class association rules whose consequent is the outcome
// ("students who do the optional practice and attend study groups pass 90%
// of the time") and rank correlations between engagement features and
// outcomes.
//
// AssociationRules finds every rule A → c above a minimum support and
// confidence with mlxtend's support, confidence, lift, leverage and
// conviction (conviction is undefined, not infinite, at confidence 1).
// ClassRules adds to each rule with the outcome as consequent Fisher's exact
// p-value, Benjamini-Hochberg across the rules and a confirmation on
// held-out students, so that a rule with 75% confidence on ten students is
// seen for what it is.
//
// Spearman and KendallTauB are scipy's spearmanr and kendalltau (tau-b, the
// variant that corrects for ties, which counts have often); Correlations
// runs both over many features with Benjamini-Hochberg.
package rules
