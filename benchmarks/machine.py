"""What machine a benchmark ran on, for the header of its report."""

import os
import platform


def cpu_description():
    """The CPU model (from /proc/cpuinfo where it exists) and the cores this process may use."""
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line)
    except (OSError, StopIteration):
        pass
    return f"{model}, {len(os.sched_getaffinity(0))} cores usable"
