"""The supervisor's console: their trainees and each trainee's record."""
