-- Migration 0014: default announcement, digest and verification templates (filled in by the delivery work).
SELECT 1;
