# Puts the Node.js major version named in .nvmrc first on PATH, for this shell and what it runs.
# Source it from the repository root: `. scripts/use-node.sh` (the README's set-up and .ci/run do).
#
# When the machine's `node` is another major version (or missing while npm is there), it installs
# that version once from the npm registry into .tools/ (the `node` package, which ships the
# official Node.js binaries: https://www.npmjs.com/package/node) and puts .tools/node_modules/.bin
# first on PATH, so `npm ci` and every npm script then run on it: no EBADENGINE warning from npm,
# no NodeVersionSupportWarning from the AWS SDK (which wants Node.js 22 or later from January 2027).
#
# POSIX sh and no `exit`: it runs inside the caller's shell (bash, zsh, dash).
use_node_wanted="$(tr -d ' \t\r\n' < .nvmrc)"
use_node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null; }
if [ "$(use_node_major node)" != "${use_node_wanted%%.*}" ]; then
  if [ "$(use_node_major .tools/node_modules/.bin/node)" != "${use_node_wanted%%.*}" ]; then
    echo "use-node: this machine has Node.js $(node --version 2>/dev/null || echo '(none)'); installing Node.js ${use_node_wanted} from the npm registry into .tools/" >&2
    mkdir -p .tools &&
      npm install --prefix .tools --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node@${use_node_wanted}" >&2 ||
      echo "use-node: could not install Node.js ${use_node_wanted}; install it yourself (nvm install reads .nvmrc)" >&2
  fi
  if [ "$(use_node_major .tools/node_modules/.bin/node)" = "${use_node_wanted%%.*}" ]; then
    PATH="$PWD/.tools/node_modules/.bin:$PATH"
    export PATH
  fi
fi
echo "use-node: Node.js $(node --version 2>/dev/null || echo '(none)')" >&2
unset -f use_node_major
unset use_node_wanted
