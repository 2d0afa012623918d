// Package archetypes clusters students into behavioural archetypes from their
// weekly engagement trajectories and says how much each archetype can be
// trusted.
//
// The clustering is k-means (Lloyd's iterations, as scikit-learn's
// algorithm="lloyd") started by greedy k-means++ with explicit restarts drawn
// from a seed: the result is the same on any number of cores. Fit scans a
// range of k and reports, for each k, the silhouette (Silhouette), the
// adjusted Rand index between the restarts (AdjustedRand: do different seeds
// find the same partition?) and Hennig's bootstrap Jaccard stability of every
// cluster (below 0.6 unstable, 0.75 and above stable). The chosen k is the
// one with the highest silhouette among those whose clusters are all at least
// 0.6 stable.
//
// Every archetype is named from the shape of its mean trajectory by the rules
// of NameShape (documented there; nothing is fixed in advance), and
// Summarise gives its size and outcome rate with a Wilson interval, overall
// and per term. A fitted Model assigns new students (test terms) to the
// nearest training centroid, so membership can be a model feature without
// leakage.
package archetypes
