// Package features turns a datasets.Frame into model design matrices, with
// every learned value (imputation fills, missing indicators, categorical
// levels) fitted on training rows only.
//
// Fit learns an Encoder from the training rows of a frame; Transform encodes
// any rows (training or test) with it, so training and test matrices always
// have identical columns. The encoding follows the definitions of
// scikit-learn's SimpleImputer(strategy="median" or "mean",
// add_indicator=True) for numeric columns and OneHotEncoder(
// handle_unknown="ignore") with sorted categories and no dropped reference
// level for categorical columns, where a missing value is a category of its
// own.
//
// Every imputed value, dropped row and unseen level is counted in
// TransformStats so that the run report can show it.
package features
