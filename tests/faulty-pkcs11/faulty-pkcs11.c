/* A fault-injecting PKCS#11 module for tests: it loads a real module (SoftHSM2 by default),
 * forwards its whole function list, and misbehaves on command the way vendor drivers do in the
 * field: it hangs, crashes, returns an error in a chosen call, prints to stdout and stderr, is
 * slow, emulates a PIN-pad token, and locks the PIN after N wrong tries like a real token.
 *
 * Settings are read at every call, so a test can change them while the agent runs: first from
 * the control file named by FAULTY_PKCS11_CONTROL (lines "key=value", '#' comments), else from
 * the environment variable FAULTY_PKCS11_<KEY IN CAPITALS>.
 *
 *   target=PATH          the real module (default /usr/lib/softhsm/libsofthsm2.so)
 *   softhsm_conf=PATH    SOFTHSM2_CONF for the real module's C_Initialize (restored after), so
 *                        a copy of SoftHSM2 behind this wrapper sees its own tokens
 *   hang=FUNC hang_ms=N  FUNC (e.g. C_Sign) sleeps N ms before doing its work ("forever": never
 *                        returns); hang_after=K spares the first K calls of FUNC in this process
 *   crash=FUNC           FUNC dereferences NULL (SIGSEGV); crash_after=K as above
 *   fail=FUNC fail_rv=R  FUNC returns R (CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT,
 *                        CKR_TOKEN_NOT_RECOGNIZED, CKR_PIN_LOCKED, CKR_DEVICE_ERROR,
 *                        CKR_FUNCTION_FAILED, CKR_FUNCTION_CANCELED or a number); fail_after=K
 *   print=1              every call writes a line to stdout (stdio and write(2)) and stderr
 *   slow_ms=N            every call takes N ms longer
 *   pinpad=1             tokens report CKF_PROTECTED_AUTHENTICATION_PATH; C_Login with a NULL
 *                        PIN waits pinpad_wait_ms, then per pinpad_result: ok (logs in to the
 *                        real module with pinpad_pin), cancel (CKR_FUNCTION_CANCELED),
 *                        incorrect (CKR_PIN_INCORRECT, counted like a typed wrong PIN)
 *   pin_tries=N          real PIN locking: wrong user PINs are counted in the file
 *                        "<control file>.pin-failures" (so the count survives processes, as on
 *                        a real token); token info shows CKF_USER_PIN_COUNT_LOW after one,
 *                        CKF_USER_PIN_FINAL_TRY when one try is left, CKF_USER_PIN_LOCKED after
 *                        N, and C_Login then returns CKR_PIN_LOCKED without asking the token.
 *                        A correct PIN resets the count.
 *   calls_log=PATH       each call appends "<function>\n" to PATH (tests see where the agent is)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>

#include <p11-kit/pkcs11.h>

static CK_FUNCTION_LIST *real;
static CK_FUNCTION_LIST wrapped;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- settings -------------------------------------------------------------------------- */

/* Looks `key` up in the control file, then in the environment. Returns a static copy or NULL. */
static const char *setting(const char *key, char *buf, size_t size)
{
    const char *control = getenv("FAULTY_PKCS11_CONTROL");
    if (control && *control) {
        FILE *f = fopen(control, "r");
        if (f) {
            char line[1024];
            size_t klen = strlen(key);
            const char *found = NULL;
            while (fgets(line, sizeof line, f)) {
                line[strcspn(line, "\r\n")] = 0;
                if (line[0] == '#')
                    continue;
                if (strncmp(line, key, klen) == 0 && line[klen] == '=') {
                    snprintf(buf, size, "%s", line + klen + 1);
                    found = buf;
                }
            }
            fclose(f);
            if (found)
                return found;
        }
    }
    char name[128] = "FAULTY_PKCS11_";
    size_t n = strlen(name);
    for (size_t i = 0; key[i] && n + 1 < sizeof name; i++)
        name[n++] = (key[i] >= 'a' && key[i] <= 'z') ? key[i] - 32 : key[i];
    name[n] = 0;
    const char *env = getenv(name);
    if (env) {
        snprintf(buf, size, "%s", env);
        return buf;
    }
    return NULL;
}

static long setting_long(const char *key, long fallback)
{
    char buf[64];
    const char *v = setting(key, buf, sizeof buf);
    if (!v || !*v)
        return fallback;
    if (strcmp(v, "forever") == 0)
        return -1;
    return strtol(v, NULL, 0);
}

static int setting_is(const char *key, const char *value)
{
    char buf[128];
    const char *v = setting(key, buf, sizeof buf);
    return v && strcmp(v, value) == 0;
}

static CK_RV parse_rv(const char *name)
{
    static const struct { const char *name; CK_RV rv; } known[] = {
        {"CKR_DEVICE_REMOVED", CKR_DEVICE_REMOVED},
        {"CKR_TOKEN_NOT_PRESENT", CKR_TOKEN_NOT_PRESENT},
        {"CKR_TOKEN_NOT_RECOGNIZED", CKR_TOKEN_NOT_RECOGNIZED},
        {"CKR_PIN_LOCKED", CKR_PIN_LOCKED},
        {"CKR_PIN_INCORRECT", CKR_PIN_INCORRECT},
        {"CKR_DEVICE_ERROR", CKR_DEVICE_ERROR},
        {"CKR_FUNCTION_FAILED", CKR_FUNCTION_FAILED},
        {"CKR_FUNCTION_CANCELED", CKR_FUNCTION_CANCELED},
        {"CKR_GENERAL_ERROR", CKR_GENERAL_ERROR},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(name, known[i].name) == 0)
            return known[i].rv;
    return (CK_RV)strtoul(name, NULL, 0);
}

static void sleep_ms(long ms)
{
    if (ms < 0) {
        for (;;)
            pause();
    }
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

/* ---- the faults, applied at the start of every wrapped call ---------------------------- */

enum { MAX_FUNCTIONS = 32 };
static struct { const char *name; long calls; } counters[MAX_FUNCTIONS];

/* How many earlier calls of `function` this process made. */
static long count_call(const char *function)
{
    long seen = 0;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_FUNCTIONS; i++) {
        if (counters[i].name == NULL) {
            counters[i].name = function;
        }
        if (counters[i].name == function || strcmp(counters[i].name, function) == 0) {
            seen = counters[i].calls++;
            break;
        }
    }
    pthread_mutex_unlock(&lock);
    return seen;
}

static void noise(const char *function)
{
    char line[160];
    int n = snprintf(line, sizeof line, "faulty-pkcs11: %s via write(1)\n", function);
    printf("faulty-pkcs11: %s via printf\n", function);
    fflush(stdout);
    if (write(1, line, (size_t)n) < 0) {
    }
    fprintf(stderr, "faulty-pkcs11: %s on stderr\n", function);
}

/* Returns CKR_OK to go on, or the value the call must return. */
static CK_RV fault(const char *function)
{
    char buf[1024];
    long seen = count_call(function);
    const char *log = setting("calls_log", buf, sizeof buf);
    if (log && *log) {
        FILE *f = fopen(log, "a");
        if (f) {
            fprintf(f, "%s\n", function);
            fclose(f);
        }
    }
    if (setting_is("print", "1"))
        noise(function);
    long slow = setting_long("slow_ms", 0);
    if (slow > 0)
        sleep_ms(slow);
    if (setting_is("hang", function) && seen >= setting_long("hang_after", 0))
        sleep_ms(setting_long("hang_ms", -1));
    if (setting_is("crash", function) && seen >= setting_long("crash_after", 0)) {
        volatile int *nowhere = NULL;
        *nowhere = 1;
    }
    if (setting_is("fail", function) && seen >= setting_long("fail_after", 0)) {
        const char *rv = setting("fail_rv", buf, sizeof buf);
        return rv ? parse_rv(rv) : CKR_FUNCTION_FAILED;
    }
    return CKR_OK;
}

/* ---- PIN locking state, kept beside the control file ----------------------------------- */

static int failures_path(char *path, size_t size)
{
    const char *control = getenv("FAULTY_PKCS11_CONTROL");
    if (!control || !*control)
        return 0;
    snprintf(path, size, "%s.pin-failures", control);
    return 1;
}

static long read_failures(void)
{
    char path[1100];
    long n = 0;
    if (!failures_path(path, sizeof path))
        return 0;
    FILE *f = fopen(path, "r");
    if (f) {
        if (fscanf(f, "%ld", &n) != 1)
            n = 0;
        fclose(f);
    }
    return n;
}

static void write_failures(long n)
{
    char path[1100];
    if (!failures_path(path, sizeof path))
        return;
    FILE *f = fopen(path, "w");
    if (f) {
        fprintf(f, "%ld\n", n);
        fclose(f);
    }
}

/* ---- loading the real module ----------------------------------------------------------- */

static CK_RV load_real(void)
{
    if (real)
        return CKR_OK;
    char buf[1024];
    const char *target = setting("target", buf, sizeof buf);
    if (!target || !*target)
        target = "/usr/lib/softhsm/libsofthsm2.so";
    void *lib = dlopen(target, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "faulty-pkcs11: cannot load %s: %s\n", target, dlerror());
        return CKR_GENERAL_ERROR;
    }
    CK_RV (*get)(CK_FUNCTION_LIST **) = (CK_RV(*)(CK_FUNCTION_LIST **))dlsym(lib, "C_GetFunctionList");
    if (!get)
        return CKR_GENERAL_ERROR;
    return get(&real);
}

/* ---- wrapped functions ----------------------------------------------------------------- */

static CK_RV w_Initialize(void *args)
{
    CK_RV rv = fault("C_Initialize");
    if (rv != CKR_OK)
        return rv;
    rv = load_real();
    if (rv != CKR_OK)
        return rv;
    char conf[1024];
    const char *own = setting("softhsm_conf", conf, sizeof conf);
    char *saved = NULL;
    if (own && *own) {
        const char *previous = getenv("SOFTHSM2_CONF");
        saved = previous ? strdup(previous) : NULL;
        setenv("SOFTHSM2_CONF", own, 1);
    }
    rv = real->C_Initialize(args);
    if (own && *own) {
        if (saved) {
            setenv("SOFTHSM2_CONF", saved, 1);
            free(saved);
        } else {
            unsetenv("SOFTHSM2_CONF");
        }
    }
    return rv;
}

static CK_RV w_Finalize(void *reserved)
{
    CK_RV rv = fault("C_Finalize");
    return rv != CKR_OK ? rv : real->C_Finalize(reserved);
}

static CK_RV w_GetInfo(CK_INFO_PTR info)
{
    CK_RV rv = fault("C_GetInfo");
    if (rv == CKR_OK)
        rv = load_real();
    return rv != CKR_OK ? rv : real->C_GetInfo(info);
}

static CK_RV w_GetSlotList(CK_BBOOL present, CK_SLOT_ID_PTR slots, CK_ULONG_PTR count)
{
    CK_RV rv = fault("C_GetSlotList");
    return rv != CKR_OK ? rv : real->C_GetSlotList(present, slots, count);
}

static CK_RV w_GetSlotInfo(CK_SLOT_ID slot, CK_SLOT_INFO_PTR info)
{
    CK_RV rv = fault("C_GetSlotInfo");
    return rv != CKR_OK ? rv : real->C_GetSlotInfo(slot, info);
}

static CK_RV w_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info)
{
    CK_RV rv = fault("C_GetTokenInfo");
    if (rv != CKR_OK)
        return rv;
    rv = real->C_GetTokenInfo(slot, info);
    if (rv != CKR_OK)
        return rv;
    if (setting_is("pinpad", "1"))
        info->flags |= CKF_PROTECTED_AUTHENTICATION_PATH;
    long tries = setting_long("pin_tries", 0);
    if (tries > 0) {
        long failures = read_failures();
        info->flags &= ~(CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED);
        if (failures >= tries)
            info->flags |= CKF_USER_PIN_LOCKED;
        else if (failures == tries - 1)
            info->flags |= CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_COUNT_LOW;
        else if (failures > 0)
            info->flags |= CKF_USER_PIN_COUNT_LOW;
    }
    return CKR_OK;
}

static CK_RV w_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, void *app, CK_NOTIFY notify,
                           CK_SESSION_HANDLE_PTR session)
{
    CK_RV rv = fault("C_OpenSession");
    return rv != CKR_OK ? rv : real->C_OpenSession(slot, flags, app, notify, session);
}

static CK_RV w_CloseSession(CK_SESSION_HANDLE session)
{
    CK_RV rv = fault("C_CloseSession");
    return rv != CKR_OK ? rv : real->C_CloseSession(session);
}

static CK_RV w_Login(CK_SESSION_HANDLE session, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin,
                     CK_ULONG pin_len)
{
    CK_RV rv = fault("C_Login");
    if (rv != CKR_OK)
        return rv;
    long tries = setting_long("pin_tries", 0);
    int counted = tries > 0 && user == CKU_USER;
    if (counted && read_failures() >= tries)
        return CKR_PIN_LOCKED;
    char typed[256];
    if (pin == NULL && setting_is("pinpad", "1")) {
        sleep_ms(setting_long("pinpad_wait_ms", 0));
        if (setting_is("pinpad_result", "cancel"))
            return CKR_FUNCTION_CANCELED;
        if (setting_is("pinpad_result", "incorrect")) {
            rv = CKR_PIN_INCORRECT;
        } else {
            const char *real_pin = setting("pinpad_pin", typed, sizeof typed);
            if (!real_pin)
                real_pin = "";
            rv = real->C_Login(session, user, (CK_UTF8CHAR_PTR)real_pin, strlen(real_pin));
        }
    } else {
        rv = real->C_Login(session, user, pin, pin_len);
    }
    if (counted) {
        pthread_mutex_lock(&lock);
        if (rv == CKR_PIN_INCORRECT)
            write_failures(read_failures() + 1);
        else if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN)
            write_failures(0);
        pthread_mutex_unlock(&lock);
    }
    return rv;
}

static CK_RV w_Logout(CK_SESSION_HANDLE session)
{
    CK_RV rv = fault("C_Logout");
    return rv != CKR_OK ? rv : real->C_Logout(session);
}

static CK_RV w_GetAttributeValue(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                                 CK_ATTRIBUTE_PTR templ, CK_ULONG count)
{
    CK_RV rv = fault("C_GetAttributeValue");
    return rv != CKR_OK ? rv : real->C_GetAttributeValue(session, object, templ, count);
}

static CK_RV w_FindObjectsInit(CK_SESSION_HANDLE session, CK_ATTRIBUTE_PTR templ, CK_ULONG count)
{
    CK_RV rv = fault("C_FindObjectsInit");
    return rv != CKR_OK ? rv : real->C_FindObjectsInit(session, templ, count);
}

static CK_RV w_FindObjects(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE_PTR objects, CK_ULONG max,
                           CK_ULONG_PTR count)
{
    CK_RV rv = fault("C_FindObjects");
    return rv != CKR_OK ? rv : real->C_FindObjects(session, objects, max, count);
}

static CK_RV w_FindObjectsFinal(CK_SESSION_HANDLE session)
{
    CK_RV rv = fault("C_FindObjectsFinal");
    return rv != CKR_OK ? rv : real->C_FindObjectsFinal(session);
}

static CK_RV w_SignInit(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mechanism, CK_OBJECT_HANDLE key)
{
    CK_RV rv = fault("C_SignInit");
    return rv != CKR_OK ? rv : real->C_SignInit(session, mechanism, key);
}

static CK_RV w_Sign(CK_SESSION_HANDLE session, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
                    CK_ULONG_PTR sig_len)
{
    CK_RV rv = fault("C_Sign");
    return rv != CKR_OK ? rv : real->C_Sign(session, data, len, sig, sig_len);
}

/* The only exported symbol: the real module's list with the functions above put in. */
CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
    CK_RV rv = load_real();
    if (rv != CKR_OK)
        return rv;
    pthread_mutex_lock(&lock);
    wrapped = *real;
    wrapped.C_Initialize = w_Initialize;
    wrapped.C_Finalize = w_Finalize;
    wrapped.C_GetInfo = w_GetInfo;
    wrapped.C_GetFunctionList = C_GetFunctionList;
    wrapped.C_GetSlotList = w_GetSlotList;
    wrapped.C_GetSlotInfo = w_GetSlotInfo;
    wrapped.C_GetTokenInfo = w_GetTokenInfo;
    wrapped.C_OpenSession = w_OpenSession;
    wrapped.C_CloseSession = w_CloseSession;
    wrapped.C_Login = w_Login;
    wrapped.C_Logout = w_Logout;
    wrapped.C_GetAttributeValue = w_GetAttributeValue;
    wrapped.C_FindObjectsInit = w_FindObjectsInit;
    wrapped.C_FindObjects = w_FindObjects;
    wrapped.C_FindObjectsFinal = w_FindObjectsFinal;
    wrapped.C_SignInit = w_SignInit;
    wrapped.C_Sign = w_Sign;
    pthread_mutex_unlock(&lock);
    *list = &wrapped;
    return CKR_OK;
}
