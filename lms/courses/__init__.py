"""Courses: imported packs, versions, catalogue, course and module pages, enrolment."""
