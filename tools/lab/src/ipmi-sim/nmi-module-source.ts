// The C source of the ipmi_sim NMI module, compiled on demand by nmi-module.ts. Kept as a
// string so the lab works the same from sources (tests) and from bundles (tools/bench/dist).
export const NMI_MODULE_SOURCE = String.raw`/*
 * haconn lab: an ipmi_sim module that adds "pulse diagnostic interrupt" (NMI) to the
 * simulated BMC. Stock ipmi_sim answers "chassis power diag" (Chassis Control, data byte 4)
 * with "Invalid data field in request". Loaded with the lan.conf directive
 *     loadlib "<this .so>" "<actions file>"
 * it re-registers NetFn chassis (0x00) command 0x02, records "<epoch ms> nmi" in the actions
 * file (the same file and format the chassis-control script writes) and answers success for
 * byte 4; every other value goes to ipmi_sim's own handler, chassis_netfn_handlers[0x02].
 * Headers: Debian libopenipmi-dev.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <OpenIPMI/serv.h>
#include <OpenIPMI/mcserv.h>
#include <OpenIPMI/ipmi_msgbits.h>
#include <OpenIPMI/ipmi_err.h>

/* Exported by the ipmi_sim executable (lanserv/bmc_chassis.c). */
extern cmd_handler_f chassis_netfn_handlers[256];

static cmd_handler_f original_handler;
static char actions_path[4096];

static void
record_nmi(void)
{
    struct timeval tv;
    FILE *f;

    if (!actions_path[0])
        return;
    gettimeofday(&tv, NULL);
    f = fopen(actions_path, "a");
    if (!f)
        return;
    fprintf(f, "%lld nmi\n", (long long) tv.tv_sec * 1000 + tv.tv_usec / 1000);
    fclose(f);
}

static void
chassis_control_with_nmi(lmc_data_t *mc, msg_t *msg, unsigned char *rdata,
                         unsigned int *rdata_len, void *cb_data)
{
    if (msg->len >= 1 && (msg->data[0] & 0xf) == 4) {
        record_nmi();
        rdata[0] = 0;
        *rdata_len = 1;
        return;
    }
    original_handler(mc, msg, rdata, rdata_len, cb_data);
}

int
ipmi_sim_module_print_version(sys_data_t *sys, char *options)
{
    (void) sys;
    (void) options;
    printf("haconn NMI module 1\n");
    return 0;
}

int
ipmi_sim_module_init(sys_data_t *sys, char *options)
{
    (void) sys;
    if (options) {
        strncpy(actions_path, options, sizeof(actions_path) - 1);
        actions_path[sizeof(actions_path) - 1] = '\0';
    }
    original_handler = chassis_netfn_handlers[IPMI_CHASSIS_CONTROL_CMD];
    if (!original_handler)
        return -1;
    return ipmi_emu_register_cmd_handler(IPMI_CHASSIS_NETFN, IPMI_CHASSIS_CONTROL_CMD,
                                         chassis_control_with_nmi, NULL);
}
`;
