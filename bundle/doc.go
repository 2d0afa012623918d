// Package bundle is the deployable form of a fitted at-risk model: a
// directory holding model.json (every fitted parameter, the fitted feature
// encoder, the training feature schema, the cutoff day, the outcome, the
// resolved threshold and risk bands, the distribution of the model's
// scores on its training rows, and SHA-256 fingerprints of the spec
// and inputs), model_card.json (Model Card Toolkit schema v0.0.2),
// model_card.md and manifest.json (every file's SHA-256). Files builds the
// bytes of a bundle, Load reads one back and verifies it, Apply scores new
// rows with it and flags what the training data never showed.
//
// docs/deploy.md documents the layout; the feature schema (Schema) keeps
// enough of the training distribution of each feature for drift measures
// (Wasserstein, Kolmogorov-Smirnov, PSI, chi-square) against new data.
package bundle
