// SPDX-License-Identifier: MIT
/*
 * Runtime services called from an application (UEFI 2.10 chapter 8):
 * GetTime, the variable services, QueryVariableInfo, the
 * EFI_RT_PROPERTIES_TABLE, and whether everything an OS needs after
 * ExitBootServices lives in runtime memory. Then the small boot services
 * of section 7.5.
 */
#include "services.h"

/* eb66918a-7eef-402a-842e-931d21c38ae9 (UEFI 2.10 section 4.6.2) */
#define RT_PROPERTIES_TABLE_GUID                                               \
	{                                                                      \
		0xeb66918a, 0x7eef, 0x402a,                                    \
		{                                                              \
			0x84, 0x2e, 0x93, 0x1d, 0x21, 0xc3, 0x8a, 0xe9         \
		}                                                              \
	}
#define RT_SUPPORTED_GET_TIME 0x0001
#define RT_SUPPORTED_GET_VARIABLE 0x0010
#define RT_SUPPORTED_GET_NEXT_VARIABLE_NAME 0x0020
#define RT_SUPPORTED_SET_VARIABLE 0x0040
#define RT_SUPPORTED_QUERY_VARIABLE_INFO 0x2000
#define RT_SUPPORTED_ALL 0x3fff

struct rt_properties_table {
	UINT16 Version;
	UINT16 Length;
	UINT32 RuntimeServicesSupported;
};

#define VAR_BS_RT                                                              \
	(EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS)

static EFI_GUID var_guid = {0x6d6d756f,
			    0x7661,
			    0x7273,
			    {0x65, 0x72, 0x76, 0x69, 0x63, 0x65, 0x73, 0x01}};
static CHAR16 var_name[] = L"MmuonServicesCheck";

/* ---- time ---------------------------------------------------------------- */

static BOOLEAN time_valid(const EFI_TIME *t)
{
	return t->Year >= 2024 && t->Year <= 9999 && t->Month >= 1 &&
	       t->Month <= 12 && t->Day >= 1 && t->Day <= 31 && t->Hour < 24 &&
	       t->Minute < 60 && t->Second < 60 && t->Nanosecond < 1000000000 &&
	       (t->TimeZone == EFI_UNSPECIFIED_TIMEZONE ||
		(t->TimeZone >= -1440 && t->TimeZone <= 1440));
}

static BOOLEAN get_time(void)
{
	EFI_TIME_CAPABILITIES cap = {0};
	EFI_TIME t = {0};
	EFI_STATUS s = RT->GetTime(&t, &cap), null;

	null = RT->GetTime(NULL, NULL);
	say(L"%r: %04d-%02d-%02d %02d:%02d:%02d TimeZone %d Daylight %d; "
	    L"Resolution %d Hz, Accuracy %d; GetTime(NULL) %r",
	    s, t.Year, t.Month, t.Day, t.Hour, t.Minute, t.Second, t.TimeZone,
	    t.Daylight, cap.Resolution, cap.Accuracy, null);
	return s == EFI_SUCCESS && time_valid(&t) && cap.Resolution &&
	       null == EFI_INVALID_PARAMETER;
}

/* ---- variables ----------------------------------------------------------- */

static EFI_STATUS remaining_space(UINT64 *remaining)
{
	UINT64 max_storage, max_variable;

	return RT->QueryVariableInfo(VAR_BS_RT, &max_storage, remaining,
				     &max_variable);
}

static BOOLEAN data_is(const char *want, UINTN want_size)
{
	UINT8 buf[32];
	UINTN size = 0;
	UINT32 attr = 0;
	EFI_STATUS s;

	s = RT->GetVariable(var_name, &var_guid, &attr, &size, NULL);
	if (s != EFI_BUFFER_TOO_SMALL || size != want_size || attr != VAR_BS_RT)
		return why(L"GetVariable(size 0): %r, size %ld (want %ld), "
			   L"attributes 0x%x",
			   s, size, want_size, attr);
	size = sizeof(buf);
	s = RT->GetVariable(var_name, &var_guid, &attr, &size, buf);
	if (s || size != want_size || CompareMem(buf, (void *)want, size))
		return why(L"GetVariable: %r, %ld bytes, not what was set", s,
			   size);
	return TRUE;
}

static BOOLEAN variables(void)
{
	UINT64 before = 0, after = 0;
	EFI_STATUS s, app, del, gone;
	UINTN size = 0;

	remaining_space(&before);
	s = RT->SetVariable(var_name, &var_guid, VAR_BS_RT, 5, "hello");
	if (!status_is(s, EFI_SUCCESS, L"SetVariable(BS|RT, 5 bytes)"))
		return FALSE;
	if (!data_is("hello", 5))
		return FALSE;
	remaining_space(&after);
	app = RT->SetVariable(var_name, &var_guid,
			      VAR_BS_RT | EFI_VARIABLE_APPEND_WRITE, 3, "abc");
	if (app || !data_is("helloabc", 8))
		return app ? why(L"SetVariable(APPEND_WRITE): %r", app) : FALSE;
	del = RT->SetVariable(var_name, &var_guid, VAR_BS_RT, 0, NULL);
	gone = RT->GetVariable(var_name, &var_guid, NULL, &size, NULL);
	say(L"set, read back (size query first), append, read back; "
	    L"QueryVariableInfo remaining %ld -> %ld; delete %r, then "
	    L"GetVariable %r",
	    before, after, del, gone);
	return after < before && del == EFI_SUCCESS && gone == EFI_NOT_FOUND;
}

/*
 * GetNextVariableName from the empty name to EFI_NOT_FOUND, starting
 * with a buffer too small for most names so that the BUFFER_TOO_SMALL
 * path (section 8.2.2) is taken: counts the names and how often ours
 * came up.
 */
static EFI_STATUS enumerate(UINTN *count, UINTN *ours, UINTN *grown)
{
	UINTN cap = 4, size, used;
	CHAR16 *name, *bigger;
	EFI_GUID guid = {0};
	EFI_STATUS s;

	*count = *ours = *grown = 0;
	if (BS->AllocatePool(EfiLoaderData, cap, (void **)&name))
		return EFI_OUT_OF_RESOURCES;
	name[0] = 0;
	for (;;) {
		size = cap;
		s = RT->GetNextVariableName(&size, name, &guid);
		if (s == EFI_BUFFER_TOO_SMALL && size > cap && *grown < 64) {
			if (BS->AllocatePool(EfiLoaderData, size,
					     (void **)&bigger))
				break;
			used = (StrLen(name) + 1) * sizeof(CHAR16);
			CopyMem(bigger, name, used);
			BS->FreePool(name);
			name = bigger;
			cap = size;
			(*grown)++;
			continue;
		}
		if (s)
			break;
		(*count)++;
		if (!StrCmp(name, var_name) &&
		    !CompareMem(&guid, &var_guid, sizeof(guid)))
			(*ours)++;
		if (*count > 4096) {
			s = EFI_ABORTED; /* it never ends */
			break;
		}
	}
	BS->FreePool(name);
	return s;
}

static BOOLEAN next_variable_name(void)
{
	UINTN count, ours, grown, count2, ours2, grown2;
	EFI_STATUS s, s2;

	if (RT->SetVariable(var_name, &var_guid, VAR_BS_RT, 2, "hi"))
		return why(L"SetVariable failed");
	s = enumerate(&count, &ours, &grown);
	RT->SetVariable(var_name, &var_guid, VAR_BS_RT, 0, NULL);
	s2 = enumerate(&count2, &ours2, &grown2);
	say(L"with ours: %ld names until %r (buffer grown %ld times), ours "
	    L"%ld time(s); deleted: %ld names until %r, ours %ld times",
	    count, s, grown, ours, count2, s2, ours2);
	return s == EFI_NOT_FOUND && ours == 1 && grown &&
	       s2 == EFI_NOT_FOUND && ours2 == 0 && count2 == count - 1;
}

static BOOLEAN query_variable_info(void)
{
	UINT64 max_storage = 0, remaining = 0, max_variable = 0, x;
	EFI_STATUS s, none;

	s = RT->QueryVariableInfo(VAR_BS_RT, &max_storage, &remaining,
				  &max_variable);
	none = RT->QueryVariableInfo(0, &x, &x, &x);
	say(L"BS|RT: %r, MaximumVariableStorageSize %ld, Remaining %ld, "
	    L"MaximumVariableSize %ld; attributes 0: %r",
	    s, max_storage, remaining, max_variable, none);
	return s == EFI_SUCCESS && max_storage && remaining <= max_storage &&
	       max_variable && max_variable <= max_storage &&
	       none == EFI_INVALID_PARAMETER;
}

/*
 * The volatile budget QueryVariableInfo offers is real: variables of 8000
 * bytes until it says no more fit, each written and the first read back,
 * then one of MaximumVariableSize that does not fit is refused with
 * EFI_OUT_OF_RESOURCES; all deleted, the room comes back. mmuon's volatile
 * variables start in 16 KiB and move to 64 KiB on the way.
 */
#define FILL_SIZE 8000
#define FILL_MAX 32

static BOOLEAN volatile_fill(void)
{
	static UINT8 data[FILL_SIZE], back[FILL_SIZE];
	CHAR16 name[16] = L"MmuonFill00";
	UINT64 max_storage, before, remaining, max_variable, written = 0;
	EFI_STATUS s = EFI_SUCCESS, full = EFI_SUCCESS, read;
	UINTN n = 0, i, size = sizeof(back);
	UINT8 *big = NULL;

	SetMem(data, sizeof(data), 0x5a);
	if (RT->QueryVariableInfo(VAR_BS_RT, &max_storage, &before,
				  &max_variable))
		return why(L"QueryVariableInfo failed");
	remaining = before;
	while (n < FILL_MAX && remaining >= FILL_SIZE + 256) {
		name[9] = L'0' + n / 10;
		name[10] = L'0' + n % 10;
		s = RT->SetVariable(name, &var_guid, VAR_BS_RT, FILL_SIZE,
				    data);
		if (s)
			break;
		n++;
		written += FILL_SIZE;
		remaining_space(&remaining);
	}
	name[9] = name[10] = L'0';
	read = RT->GetVariable(name, &var_guid, NULL, &size, back);
	if (!s && remaining < max_variable &&
	    !BS->AllocatePool(EfiLoaderData, max_variable, (void **)&big)) {
		full = RT->SetVariable(L"MmuonFillBig", &var_guid, VAR_BS_RT,
				       max_variable - 64, big);
		BS->FreePool(big);
	}
	for (i = 0; i < n; i++) {
		name[9] = L'0' + i / 10;
		name[10] = L'0' + i % 10;
		RT->SetVariable(name, &var_guid, VAR_BS_RT, 0, NULL);
	}
	remaining_space(&remaining);
	say(L"budget %ld, remaining %ld: %ld variables of %d bytes (%r at "
	    L"the end), the first read back %r; %ld more bytes %r; deleted, "
	    L"remaining %ld",
	    max_storage, before, n, FILL_SIZE, s, read, max_variable - 64, full,
	    remaining);
	return s == EFI_SUCCESS && written > 16 * 1024 && read == EFI_SUCCESS &&
	       !CompareMem(back, data, FILL_SIZE) &&
	       full == EFI_OUT_OF_RESOURCES && remaining == before;
}

static BOOLEAN variable_refusals(void)
{
	EFI_STATUS s[5];
	UINTN size = 0;

	s[0] = RT->SetVariable(L"", &var_guid, VAR_BS_RT, 1, "x");
	s[1] = RT->SetVariable(var_name, &var_guid, EFI_VARIABLE_RUNTIME_ACCESS,
			       1, "x");
	s[2] = RT->SetVariable(var_name, NULL, VAR_BS_RT, 1, "x");
	s[3] = RT->GetVariable(NULL, &var_guid, NULL, &size, NULL);
	s[4] = RT->GetVariable(L"MmuonNoSuchVariable", &var_guid, NULL, &size,
			       NULL);
	say(L"SetVariable(name \"\") %r, (RT without BS) %r, (GUID NULL) %r; "
	    L"GetVariable(name NULL) %r, (unknown) %r",
	    s[0], s[1], s[2], s[3], s[4]);
	return s[0] == EFI_INVALID_PARAMETER && s[1] == EFI_INVALID_PARAMETER &&
	       s[2] == EFI_INVALID_PARAMETER && s[3] == EFI_INVALID_PARAMETER &&
	       s[4] == EFI_NOT_FOUND;
}

/* ---- what must survive ExitBootServices ---------------------------------- */

static BOOLEAN properties_table(void)
{
	static EFI_GUID guid = RT_PROPERTIES_TABLE_GUID;
	struct rt_properties_table *t = NULL;
	const UINT32 want = RT_SUPPORTED_GET_TIME | RT_SUPPORTED_GET_VARIABLE |
			    RT_SUPPORTED_GET_NEXT_VARIABLE_NAME |
			    RT_SUPPORTED_SET_VARIABLE |
			    RT_SUPPORTED_QUERY_VARIABLE_INFO;
	UINT32 type;
	UINTN i;

	for (i = 0; i < ST->NumberOfTableEntries; i++)
		if (!CompareMem(&ST->ConfigurationTable[i].VendorGuid, &guid,
				sizeof(guid)))
			t = ST->ConfigurationTable[i].VendorTable;
	if (!t)
		return why(L"no EFI_RT_PROPERTIES_TABLE among %ld tables",
			   ST->NumberOfTableEntries);
	type = memmap_type_at((UINTN)t);
	say(L"at 0x%lx (memory type %d): Version %d Length %d "
	    L"RuntimeServicesSupported 0x%x",
	    (UINTN)t, type, t->Version, t->Length, t->RuntimeServicesSupported);
	/* The OS reads it after ExitBootServices: runtime data. */
	return t->Version == 1 && t->Length == sizeof(*t) &&
	       (t->RuntimeServicesSupported & want) == want &&
	       !(t->RuntimeServicesSupported & ~RT_SUPPORTED_ALL) &&
	       type == EfiRuntimeServicesData;
}

/* The page of @p is runtime memory of @type; else a reason. */
static BOOLEAN in_runtime(const void *p, UINT32 type, const CHAR16 *what)
{
	const struct memmap *m = memmap_now();
	EFI_MEMORY_DESCRIPTOR *d = m ? memmap_find(m, (UINTN)p) : NULL;

	if (d && d->Type == type && (d->Attribute & EFI_MEMORY_RUNTIME))
		return TRUE;
	return why(L"%s at 0x%lx: type %d attributes 0x%lx, want type %d "
		   L"with EFI_MEMORY_RUNTIME",
		   what, (UINTN)p, d ? d->Type : ~0u, d ? d->Attribute : 0,
		   type);
}

/*
 * Section 4.3: after ExitBootServices the OS still uses the system table
 * header, FirmwareVendor, RuntimeServices and the configuration table
 * array; the services themselves run from runtime code.
 */
static BOOLEAN runtime_memory(void)
{
	void **fn = (void **)&RT->GetTime;
	void **end = (void **)&RT->QueryVariableInfo;
	UINTN n = 0;

	if (!in_runtime(ST, EfiRuntimeServicesData, L"the system table") ||
	    !in_runtime(RT, EfiRuntimeServicesData, L"the RT table") ||
	    !in_runtime(ST->ConfigurationTable, EfiRuntimeServicesData,
			L"the configuration table array") ||
	    !in_runtime(ST->FirmwareVendor, EfiRuntimeServicesCode,
			L"FirmwareVendor"))
		return FALSE;
	for (; fn <= end; fn++, n++)
		if (!in_runtime(*fn, EfiRuntimeServicesCode,
				L"a runtime service"))
			return FALSE;
	say(L"system table, RT table, configuration tables in runtime data; "
	    L"FirmwareVendor and %ld runtime services in runtime code",
	    n);
	return TRUE;
}

#define U(x) ((UINT64)(UINTN)(x))

/*
 * x18 is the platform register: UEFI firmware must not touch it (UEFI
 * 2.10 section 2.3.6.4), and Linux checks it around every runtime call
 * ("FW_BUG register x18 corrupted"). Each runtime service once, with x18
 * and the callee-saved registers set to known values.
 */
static BOOLEAN runtime_x18(void)
{
	static CHAR16 name[64];
	EFI_TIME t;
	EFI_GUID guid;
	UINT64 a, b, c, count;
	UINT32 attr;
	UINTN size = sizeof(name);
	UINT8 buf[8];
	EFI_STATUS s;
	BOOLEAN ok;

	say(L"");
	ok = call_preserves(L"GetTime", RT->GetTime, (UINT64[5]){U(&t)}, &s) &&
	     call_preserves(L"SetVariable", RT->SetVariable,
			    (UINT64[5]){U(var_name), U(&var_guid), VAR_BS_RT, 3,
					U("x18")},
			    &s);
	size = sizeof(buf);
	ok = ok && call_preserves(L"GetVariable", RT->GetVariable,
				  (UINT64[5]){U(var_name), U(&var_guid),
					      U(&attr), U(&size), U(buf)},
				  &s);
	size = sizeof(name);
	name[0] = 0;
	ok = ok &&
	     call_preserves(L"GetNextVariableName", RT->GetNextVariableName,
			    (UINT64[5]){U(&size), U(name), U(&guid)}, &s) &&
	     call_preserves(L"QueryVariableInfo", RT->QueryVariableInfo,
			    (UINT64[5]){VAR_BS_RT, U(&a), U(&b), U(&c)}, &s) &&
	     call_preserves(L"GetNextHighMonotonicCount",
			    RT->GetNextHighMonotonicCount,
			    (UINT64[5]){U(&count)}, &s);
	RT->SetVariable(var_name, &var_guid, VAR_BS_RT, 0, NULL);
	return ok;
}

void check_runtime(void)
{
	report("runtime.get-time", get_time());
	report("runtime.variables", variables());
	report("runtime.next-variable-name", next_variable_name());
	report("runtime.query-variable-info", query_variable_info());
	report("runtime.volatile-fill", volatile_fill());
	report("runtime.variable-refusals", variable_refusals());
	report("runtime.properties-table", properties_table());
	report("runtime.memory", runtime_memory());
	report("runtime.x18", runtime_x18());
}

/* ---- section 7.5 --------------------------------------------------------- */

static BOOLEAN monotonic_count(void)
{
	UINT64 a = 0, b = 0;
	EFI_STATUS s1 = BS->GetNextMonotonicCount(&a);
	EFI_STATUS s2 = BS->GetNextMonotonicCount(&b);
	EFI_STATUS null = BS->GetNextMonotonicCount(NULL);

	say(L"%r 0x%lx, %r 0x%lx; NULL %r", s1, a, s2, b, null);
	return !s1 && !s2 && b > a && null == EFI_INVALID_PARAMETER;
}

static BOOLEAN crc32(void)
{
	UINT32 crc = 0, x;
	EFI_STATUS s = BS->CalculateCrc32("123456789", 9, &crc);
	EFI_STATUS null = BS->CalculateCrc32(NULL, 9, &x);
	EFI_STATUS zero = BS->CalculateCrc32("1", 0, &x);

	say(L"\"123456789\": %r 0x%08x (want 0xcbf43926); data NULL %r, size "
	    L"0 %r",
	    s, crc, null, zero);
	return s == EFI_SUCCESS && crc == 0xcbf43926 &&
	       null == EFI_INVALID_PARAMETER && zero == EFI_INVALID_PARAMETER;
}

/* Section 7.5.5: CopyMem must handle overlap both ways. */
static BOOLEAN copy_set_mem(void)
{
	UINT8 b[16];
	UINTN i;

	for (i = 0; i < 16; i++)
		b[i] = (UINT8)i;
	BS->CopyMem(b + 2, b, 8); /* forward overlap */
	if (b[2] != 0 || b[9] != 7 || b[10] != 10)
		return why(L"CopyMem(dst > src, overlapping) wrong");
	BS->CopyMem(b, b + 2, 8); /* backward overlap */
	if (b[0] != 0 || b[7] != 7 || b[8] != 6)
		return why(L"CopyMem(dst < src, overlapping) wrong");
	BS->SetMem(b + 4, 8, 0xa5);
	if (b[3] != 3 || b[4] != 0xa5 || b[11] != 0xa5 || b[12] != 12)
		return why(L"SetMem wrong");
	say(L"overlapping copies both ways, SetMem in bounds");
	return TRUE;
}

static BOOLEAN watchdog(void)
{
	EFI_STATUS off = BS->SetWatchdogTimer(0, 0, 0, NULL);
	EFI_STATUS on = BS->SetWatchdogTimer(300, 0x10000, 0, NULL);
	EFI_STATUS off2 = BS->SetWatchdogTimer(0, 0, 0, NULL);

	say(L"disarm %r; arm 300 s code 0x10000 %r; disarm %r", off, on, off2);
	return off == EFI_SUCCESS && on == EFI_SUCCESS && off2 == EFI_SUCCESS;
}

void check_misc(void)
{
	report("misc.monotonic-count", monotonic_count());
	report("misc.crc32", crc32());
	report("misc.copy-set-mem", copy_set_mem());
	report("misc.watchdog", watchdog());
}
