"""A school's mentoring programme per academic year: templates, contingent, stages."""
