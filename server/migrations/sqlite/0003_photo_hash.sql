-- The perceptual hash of a verified photo, to flag one picture used for two households.
ALTER TABLE photos ADD COLUMN perceptual_hash TEXT;
