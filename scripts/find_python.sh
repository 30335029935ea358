#!/usr/bin/env bash
# Print the path of a Python interpreter of the wanted minor version (e.g. 3.10), or explain.
set -euo pipefail
want=$1
for candidate in "python$want" "$HOME/.pyenv/versions/$want"*/bin/"python$want" \
                 /usr/bin/"python$want" /usr/local/bin/"python$want"; do
  if path=$(command -v "$candidate" 2>/dev/null) && "$path" -c 'import sys' 2>/dev/null; then
    version=$("$path" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    if [[ "$version" == "$want" ]]; then echo "$path"; exit 0; fi
  fi
done
echo "error: Python $want is needed but was not found." >&2
if [[ "$want" == "3.10" ]]; then
  echo "Rasa 3.6 runs only on Python < 3.11. Install it with 'pyenv install 3.10.13'" >&2
  echo "or your system's package (e.g. 'apt-get install python3.10 python3.10-venv')." >&2
else
  echo "Install it with 'pyenv install $want' or your system's package manager." >&2
fi
exit 1
