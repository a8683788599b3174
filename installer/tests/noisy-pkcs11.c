/* Test-only PKCS#11 module for the Windows agent under Wine: a "vendor driver" that prints to
 * stdout (through the C runtime and through the STD_OUTPUT_HANDLE) when it is initialised, as
 * some vendor DLLs do. The agent must keep its frames clean (DESIGN §5). It has no slots. */
#include <stdio.h>
#include <string.h>
#include <windows.h>

/* PKCS#11 structures are packed to 1 byte on Windows (the specification's Win32 rule). */
#pragma pack(push, 1)
#include <p11-kit/pkcs11.h>
#pragma pack(pop)

static void noise(const char *where)
{
    DWORD written;
    printf("noisy-pkcs11: %s via printf\n", where);
    fflush(stdout);
    WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), "noisy-pkcs11: via STD_OUTPUT_HANDLE\n", 36, &written, NULL);
}

static CK_RV initialize(void *args)
{
    (void)args;
    noise("C_Initialize");
    return CKR_OK;
}

static CK_RV finalize(void *reserved)
{
    (void)reserved;
    return CKR_OK;
}

static CK_RV get_info(CK_INFO *info)
{
    memset(info, ' ', sizeof *info);
    info->cryptokiVersion.major = 2;
    info->cryptokiVersion.minor = 40;
    info->flags = 0;
    info->libraryVersion.major = 1;
    info->libraryVersion.minor = 0;
    return CKR_OK;
}

static CK_RV get_slot_list(CK_BBOOL token_present, CK_SLOT_ID *slots, CK_ULONG *count)
{
    (void)token_present;
    (void)slots;
    noise("C_GetSlotList");
    *count = 0;
    return CKR_OK;
}

static CK_FUNCTION_LIST functions = {
    .version = {2, 40},
    .C_Initialize = initialize,
    .C_Finalize = finalize,
    .C_GetInfo = get_info,
    .C_GetSlotList = get_slot_list,
};

__declspec(dllexport) CK_RV C_GetFunctionList(CK_FUNCTION_LIST **list)
{
    *list = &functions;
    return CKR_OK;
}
