# bash completion for the haconn2 commands: haconnsetup, haconnshow, haconnact, haconnsby,
# haconnserver, haconndump (and the manual's spelling haconnndump), and haconnclient (the
# reset-path client: check, reset, dump-notice, listen and their --options).
#
# Install: /etc/bash_completion.d/haconn (loaded by bash-completion), or `source` this file.
# Completes subcommands, the manual's key= arguments and their fixed values (ipdusd=on|off,
# VMware=Enable|Disable, mode=same|serial, model=IBM_PDU, ...), and names from the
# configuration file when it is readable (root): management servers, managed servers, PDUs.
# It never runs a haconn command (each run would write a clilog line) and needs no
# bash-completion helpers; it works whether or not "=" is in COMP_WORDBREAKS.

# The configuration file: $HACONN_ETC_DIR/haconn.json (default /etc/opt/hitachi/haconn2).
_haconn_config() {
  printf '%s/haconn.json' "${HACONN_ETC_DIR:-/etc/opt/hitachi/haconn2}"
}

# Names of one section of the configuration: mservers, pservers (their "name") or pdus ("key").
# The store writes JSON indented by two spaces, so a section starts at indent 2 and its
# objects' fields are at indent 6.
_haconn_names() {
  local file
  file=$(_haconn_config)
  [[ -r $file ]] || return 0
  awk -v want="$1" '
    /^  "[A-Za-z]+": / { section = $1; gsub(/[":]/, "", section); next }
    section == want && want != "pdus" && /^      "name": "/ { v = $0; sub(/^      "name": "/, "", v); sub(/".*/, "", v); print v }
    section == want && want == "pdus" && /^      "key": "/ { v = $0; sub(/^      "key": "/, "", v); sub(/".*/, "", v); print v }
  ' "$file" 2>/dev/null
}

# Sets COMPREPLY to the candidates ($2, newline-separated) that start with $1.
_haconn_reply() {
  local cur=$1 candidates=$2 c
  COMPREPLY=()
  local IFS=$'\n'
  for c in $candidates; do
    [[ -n $c && $c == "$cur"* ]] && COMPREPLY+=("$c")
  done
}

# Values offered for key $1 in the context $2 (the command and its subcommands).
_haconn_values() {
  local key=$1 context=$2
  case $key in
    ipdusd | cluster | check) printf '%s\n' on off ;;
    VMware | vmware) printf '%s\n' Enable Disable ;;
    mode) printf '%s\n' same serial ;;
    model) printf '%s\n' IBM_PDU ;;
    hostkey) printf '%s\n' none ;;
    # The profiles the configuration accepts (packages/config PDU_PROFILE_NAMES).
    profile) printf '%s\n' ibm-col11 ibm-col13 ;;
    concent) printf '%s\n' 1 2 3 4 5 6 7 8 9 10 11 12 ;;
    cipher) printf '%s\n' 17 3 ;;
    addr)
      case $context in
        *" ipduadd" | *" ipdudel" | "haconnshow ipdu" | "haconnserver ipdusd") _haconn_names pdus ;;
      esac
      ;;
    name)
      [[ $context == "haconnshow hamonitor" ]] && _haconn_names pservers
      ;;
  esac
}

# Completes a key=value word: keys ($2, space-separated) not yet given, or a key's values.
_haconn_keys() {
  local cur=$1 keys=$2 context=$3 given=$4 k list=""
  if [[ $cur == *=* ]]; then
    local key=${cur%%=*} value=${cur#*=}
    _haconn_reply "$value" "$(_haconn_values "$key" "$context")"
    # Bash replaces only the text after the last word-break character.
    if [[ $COMP_WORDBREAKS != *=* ]]; then
      local i
      for i in "${!COMPREPLY[@]}"; do COMPREPLY[i]="$key=${COMPREPLY[i]}"; done
    fi
    return
  fi
  for k in $keys; do
    [[ $k == *= && " $given " == *" ${k%=} "* ]] && continue
    list+="$k"$'\n'
  done
  _haconn_reply "$cur" "$list"
  local r
  for r in "${COMPREPLY[@]}"; do
    if [[ $r == *= ]]; then
      compopt -o nospace 2>/dev/null
      break
    fi
  done
}

# The words of the command line up to the cursor, split on blanks only (so "addr=1.2.3.4" is
# one word whatever COMP_WORDBREAKS says). Sets _haconn_w (words before the current one) and
# _haconn_cur.
_haconn_split() {
  local line
  if [[ -n ${COMP_LINE-} && -n ${COMP_POINT-} ]]; then
    line=${COMP_LINE:0:COMP_POINT}
    read -r -a _haconn_w <<<"$line"
    if [[ $line == *[[:blank:]] || ${#_haconn_w[@]} -eq 0 ]]; then
      _haconn_cur=""
    else
      local last=$((${#_haconn_w[@]} - 1))
      _haconn_cur=${_haconn_w[last]}
      unset "_haconn_w[$last]"
    fi
  else
    _haconn_w=("${COMP_WORDS[@]:0:COMP_CWORD}")
    _haconn_cur=${COMP_WORDS[COMP_CWORD]-}
  fi
}

# haconnclient: a subcommand, then --options (most take a value: the next word). Offers the
# subcommand, the options that subcommand accepts and not yet given (--key-file and --no-key
# exclude each other), and file names after --key-file; other values are the operator's to type.
_haconn_client() {
  local cur=$1
  shift
  local -A takes=(
    [--connector]=1 [--port]=1 [--subsystem]=1 [--bind]=1 [--key-file]=1 [--timeout]=1
    [--system]=1 [--vm]=1 [--pair]=1 [--interval]=1 [--target]=1 [--target-system]=1
    [--cluster-port]=1 [--count]=1
  )
  local sub="" given=" " prev="" w
  for w in "$@"; do
    if [[ -n $prev ]]; then
      prev=""
      continue
    fi
    case $w in
      --*=*) given+="${w%%=*} " ;;
      -*)
        given+="$w "
        [[ -n ${takes[$w]-} ]] && prev=$w
        ;;
      *) [[ -z $sub ]] && sub=$w ;;
    esac
  done
  COMPREPLY=()
  if [[ $prev == --key-file ]]; then
    local IFS=$'\n'
    COMPREPLY=($(compgen -f -- "$cur"))
    compopt -o filenames 2>/dev/null
    return
  fi
  [[ -n $prev ]] && return
  local options="--connector --port --subsystem --bind --key-file --no-key --timeout --json --help"
  case $sub in
    "")
      if [[ $cur != -* ]]; then
        _haconn_reply "$cur" $'check\nreset\ndump-notice\nlisten'
        return
      fi
      options="--help --version"
      ;;
    check) options+=" --system --vm --pair --interval" ;;
    reset) options+=" --target --target-system --cluster-port --fence" ;;
    dump-notice) options+=" --system --cluster-port" ;;
    listen) options+=" --system --vm --pair --interval --count" ;;
    *) return ;;
  esac
  [[ $given == *" --key-file "* ]] && options=${options/ --no-key/}
  [[ $given == *" --no-key "* ]] && options=${options/ --key-file/}
  local o list=""
  for o in $options; do
    [[ $given == *" $o "* ]] || list+="$o"$'\n'
  done
  _haconn_reply "$cur" "$list"
}

_haconn_complete() {
  local _haconn_w _haconn_cur
  _haconn_split
  if [[ ${_haconn_w[0]##*/} == haconnclient ]]; then
    _haconn_client "$_haconn_cur" "${_haconn_w[@]:1}"
    return 0
  fi
  local cur=$_haconn_cur
  local cmd=${_haconn_w[0]##*/}
  local -a pos=() # positional words after the command (options and key= words removed)
  local given="" w same=0
  for w in "${_haconn_w[@]:1}"; do
    case $w in
      -*) ;;
      *=*)
        given+=" ${w%%=*}"
        [[ ${w,,} == mode=same ]] && same=1
        ;;
      *) pos+=("$w") ;;
    esac
  done
  local n=${#pos[@]} sub=${pos[0]-} sub2=${pos[1]-}
  local options="--help" words="" keys="" context="$cmd"

  case $cmd in
    haconnsetup)
      context="$cmd $sub"
      case $sub in
        "") words="resetpath kdump hamonitor mserver mlan pserver vserver ipdu snmp hispeed" ;;
        resetpath) keys="addr= port= insecure= key=" ;;
        kdump) ((n == 1)) && [[ " $given " != *" port "* ]] && words="on off" && keys="port=" ;;
        hamonitor)
          if ((n == 1)); then words=$(_haconn_names pservers); else keys="allow="; fi
          ;;
        snmp) keys="name=" ;;
        hispeed) ((n == 1)) && [[ " $given " != *" resettime "* ]] && words="off" && keys="resettime=" ;;
        mlan)
          if ((n == 1)); then words=$(_haconn_names mservers); else keys="addr= port="; fi
          ;;
        vserver)
          if ((n == 1)); then words=$(_haconn_names pservers); else keys="addr= port= account= VMware= hostkey="; fi
          ;;
        mserver | pserver)
          context="$cmd $sub $sub2"
          if ((n == 1)); then
            words="add mod del ipduadd ipdudel"
          elif ((n == 2)); then
            [[ $sub2 != add ]] && words=$(_haconn_names "${sub}s")
          else
            case $sub/$sub2 in
              mserver/add | mserver/mod) keys="addr= account= ipdusd= timeout= cipher= check=" ;;
              pserver/add) keys="addr= account= cluster= ipdusd= timeout= recoverytime= cipher=" ;;
              pserver/mod) keys="name= addr= account= cluster= ipdusd= timeout= recoverytime= cipher=" ;;
              */ipduadd | */ipdudel) keys="addr= concent=" ;;
            esac
          fi
          ;;
        ipdu)
          if ((n == 1)); then
            words="add del"
          elif ((n == 2)); then
            [[ $sub2 == del ]] && words="$(_haconn_names pdus)"$'\n''\*'
          elif [[ $sub2 == add ]]; then
            keys="model= profile="
          fi
          ;;
      esac
      ;;
    haconnshow)
      context="$cmd $sub"
      case $sub in
        "") words="setting mserversetting ipdusetting status hamonitor ipdu version" ;;
        hamonitor) options="--json --help" keys="name=" ;;
        ipdu) options="--json --help" keys="addr=" ;;
        *) options="--json --help" ;;
      esac
      ;;
    haconnact | haconnsby)
      context="$cmd $sub"
      if ((n == 0)); then
        if [[ $cmd == haconnact ]]; then words="copy reload restart shutdown ipdusd"; else words="restart shutdown ipdusd"; fi
      else
        options="--json --help"
        [[ $sub == ipdusd ]] && keys="mode= offtime= wtime="
      fi
      ;;
    haconnserver)
      context="$cmd $sub"
      if ((n == 0)); then
        words="acrecovery reset ipdusd"
      else
        options="--json --help"
        if ((n == 1)); then
          words=$(_haconn_names pservers)
        else
          case $sub in
            reset) keys="address=" ;;
            ipdusd) keys="mode= addr= offtime= wtime=" ;;
          esac
        fi
      fi
      ;;
    haconndump | haconnndump) ;;
    *) return 0 ;;
  esac

  # The same rules as the commands' validation: mode=same takes neither wtime= nor addr=
  # (manual §6.8-6.10), so they are not offered after it.
  if ((same)) && [[ $sub == ipdusd || $sub2 == ipdusd ]]; then
    keys=${keys//wtime=/}
    keys=${keys//addr=/}
  fi

  if [[ $cur == -* ]]; then
    _haconn_reply "$cur" "${options// /$'\n'}"
  elif [[ $cur == *=* ]]; then
    _haconn_keys "$cur" "$keys" "$context" "$given"
  else
    local -a found=()
    if [[ -n $words ]]; then
      _haconn_reply "$cur" "${words// /$'\n'}"
      found=("${COMPREPLY[@]}")
    fi
    COMPREPLY=()
    [[ -n $keys ]] && _haconn_keys "$cur" "$keys" "$context" "$given"
    COMPREPLY=("${found[@]}" "${COMPREPLY[@]}")
  fi
  return 0
}

complete -F _haconn_complete haconnsetup haconnshow haconnact haconnsby haconnserver haconndump haconnndump haconnclient
