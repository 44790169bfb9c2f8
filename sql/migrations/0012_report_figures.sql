-- The annual report's and the monthly statistics' figures as counters, kept in the transaction that records
-- each event (sql/report_figures.cpp; workflow/figures.hpp says what each figure and key means).
-- report_figure_deltas is insert-only (no row that every filing updates: no lock queue on InnoDB, no
-- certification conflicts on Galera); report_figures holds the deltas folded so far, summed by key.
-- Existing databases are filled from the log when this migration is applied (sql/migrate.cpp).
CREATE TABLE IF NOT EXISTS report_figure_deltas (
  id {{id}},
  case_id BIGINT NOT NULL,
  figure VARCHAR(12) NOT NULL,
  k1 VARCHAR(10) NOT NULL,
  k2 VARCHAR(40) NOT NULL,
  k3 VARCHAR(40) NOT NULL,
  n BIGINT NOT NULL
) {{table_options}};

CREATE TABLE IF NOT EXISTS report_figures (
  figure VARCHAR(12) NOT NULL,
  category VARCHAR(20) NOT NULL,
  k1 VARCHAR(10) NOT NULL,
  k2 VARCHAR(40) NOT NULL,
  k3 VARCHAR(40) NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (figure, k1, k2, k3, category)
) {{table_options}};
