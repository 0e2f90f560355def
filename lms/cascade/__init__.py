"""The training cascade: facilitators, their field activities, the master-trainer tree."""
