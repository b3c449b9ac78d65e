// What each README example must print when it ran against the simulators (besides exiting 0 and
// the simulator-side checks of example-sims.ts). Shared by the in-workspace run and the
// registry (Verdaccio) run.

export const EXAMPLE_OUTPUT: Record<string, RegExp[]> = {
  client: [
    /^registered with HACON1 \(active\), resettable: true$/m,
    /^accepted, phase /m,
    /^DUMP: the reset completed .* in \d+ ms$/m,
  ],
  protocol: [
    /^connector got CHECK from PSERVER1, key 1$/m,
    /^reply from HACON1: resettable true$/m,
    /"reason":"bad-mac"/,
  ],
  config: [
    /^digest [0-9a-f]{64}$/m,
    /^refused: \/pservers\/0\/bmc\/account: /m,
    /CONFIG_INVALID\); digest still true$/m,
  ],
  core: [
    /^BMC of PSERVER1: nmi 1, reset 1$/m,
    /^resetlog: HARDRESET PSERVER1 10001 SEND/m,
    /^request 7: DUMP$/m,
  ],
  ha: [/^elected: HACON1 active term 1, HACON2 standby term 1$/m, /^after failover: .*HACON2 active term 2/m],
  bmc: [/power is on$/m, /^NMI sent and acknowledged$/m],
  ipdu: [/profile ibm-col13, 12 outlets$/m, /^outlet 3 is on$/m, /^outlet 3 cut: now off$/m],
  esxi: [/^vm 1 vm01 /m, /^vm 2 vm02 /m, /^vm02 reset; now on$/m],
};
