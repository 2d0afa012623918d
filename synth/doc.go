// Package synth generates seeded synthetic data shaped like the Open
// University Learning Analytics Dataset (OULAD).
package synth
