-- What a screenshot was read as (issue 7): the vision model's or OCR's fields, visible code and suspected root
-- cause, as JSON. Kept with the image, which is linked to its error; the searchable part also goes into the
-- error's search terms.
ALTER TABLE attachments ADD COLUMN analysis TEXT;
