"""The API the field technicians' phone app calls, under /api/v1/technician/.

Kept apart from recovery/api (the dispatcher's API) because its rules differ: tokens only,
a technician sees only their own jobs, and every write carries the device's event time."""
