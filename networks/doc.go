// Package networks builds the reply graph of a discussion forum and
// computes its students' centralities, with the definitions and
// normalisation of networkx 2.8: degree, betweenness, closeness (Wasserman
// and Faust; an isolated student has closeness 0, not infinity), PageRank
// and eigenvector centrality.
//
// A Graph is simple: self-loops are dropped and repeated edges merged with
// their weights summed (in an undirected graph in either direction). Only
// PageRank uses the weights. Staff accounts can be flagged and left out
// before the centralities are computed, and the students with no edge left
// are listed as a risk signal (Isolated).
//
// Betweenness is Brandes' algorithm, one breadth-first search per source
// that records each node's successors on shortest paths for the backward
// pass; sources are split into fixed blocks whose partial sums are combined
// in block order. Closeness follows 512 sources at once on bit masks
// (multi-source, direction-optimising search) and sums integer distances.
// Results are identical whatever the number of cores.
package networks
