// Package sequences mines the action sequences of students' sessions for
// patterns whose frequency differs between at-risk students and the others.
//
// SplitSessions cuts a student's time-ordered events into sessions at every
// inactivity gap longer than a threshold. A Database holds the sessions as
// sequences of action codes, each owned by a student; the support of a
// pattern counts students, each at most once however often and in however
// many sessions the pattern occurs. Database.Mine finds every pattern with
// at least a minimum share of supporting students, either as PrefixSpan's
// sequential patterns (in order, gaps allowed) or as contiguous n-grams.
//
// Differential tests each pattern's difference in support share between
// the two groups by permuting the group labels, adjusts the p-values with
// Benjamini-Hochberg, and Confirm checks the significant ones on held-out
// students or a later term. Sentence says a finding in words ("open quiz,
// then resource: 41% of students who failed, 17% of those who passed").
package sequences
