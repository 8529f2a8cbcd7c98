-- The forecast's history as one row per location and part (keep in step with
-- ../postgres/0022_consumption_history.sql): a run reads 250,000 rows at the chain's
-- full size instead of one per day of use (about two million), which kept it above
-- its two seconds. `uses` lists "day:milli" pairs, comma-separated, the day counted
-- from 1970-01-01 (local, UTC+8); storage::supply reads and writes it.
CREATE TABLE consumption_history (
    location_id BLOB NOT NULL REFERENCES locations (id),
    part_id     BLOB NOT NULL REFERENCES parts (id),
    uses        TEXT NOT NULL,
    PRIMARY KEY (location_id, part_id)
);

INSERT INTO consumption_history (location_id, part_id, uses)
SELECT location_id, part_id,
       group_concat(CAST(julianday(day) - 2440587.5 AS INTEGER) || ':' || milli, ',')
FROM consumption_daily
GROUP BY location_id, part_id;

DROP TABLE consumption_daily;
