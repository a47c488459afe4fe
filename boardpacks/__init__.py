"""Board packs: the monthly evidence summary for the improvement board (SIAB)."""
