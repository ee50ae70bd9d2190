"""The assessments service 考核: schemes, the points ledger, scorecards, rankings, appraisals,
titles."""
