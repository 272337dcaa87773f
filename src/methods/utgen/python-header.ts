/**
 * Imports put before every candidate program (spec 3.6), so code that forgot a standard import
 * still runs as it did in the paper's harness. `np` is a stand-in that imports numpy on first
 * use: numpy's import costs more than most test runs, and few candidates touch it.
 */
export const pythonImportHeader = `import math
import re
import sys
import copy
import datetime
import itertools
import collections
import heapq
import functools
import hashlib
import string
from typing import *
from collections import *
from functools import *


class _ChorusLazyNumpy:
    def __getattr__(self, name):
        import numpy

        return getattr(numpy, name)


np = _ChorusLazyNumpy()
`;
