// Package models holds the classifiers an experiment compares: logistic
// regression, random-intercept logistic regression for students within
// groups (MixedLogistic, fitted by package multilevel) and simple
// baselines, and the interface trees, ensembles and models trained outside
// the harness implement. Every model returns, for each
// row, the estimated probability (or a monotone risk score) of the at-risk
// outcome.
package models
