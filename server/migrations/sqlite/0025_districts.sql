-- Where customers live (keep in step with ../postgres/0025_districts.sql): the district
-- a customer chose in their garage (domain::districts codes), NULL until they say;
-- HQ's customer map counts them against the stores' reach.
ALTER TABLE customers ADD COLUMN district TEXT;
