#!/usr/bin/env python
from casework.__main__ import main

if __name__ == "__main__":
    main()
