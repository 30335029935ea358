"""The youth council workshop (issue 18): young people write how they really talk, staff review,
and a new model goes live only when it is safer. The domain only: the pages are
api/routes/workshop/."""
