-- Who listed a photo on a case: a listing grants sight of the photo only when made by
-- the account that uploaded it (knowing a photo's SHA-256 is not enough to get it).
ALTER TABLE case_photos ADD COLUMN attached_by TEXT;
