import os

from hypothesis import settings

# HYPOTHESIS_PROFILE=slow for a long run; CI uses the default.
settings.register_profile("default", max_examples=200, deadline=None)
settings.register_profile("slow", max_examples=10_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
