package model

// Realm localization: the texts that override Keycloak's message bundles
// (login pages, emails), per locale. The files write them as a realm
// export does, a map of locale to a map of message key to text:
//
//	localizationTexts:
//	  de: {loginTitle: Willkommen}
//
// Each locale is one object keyed by its name, whose texts are a whole
// map: a key the files leave out of a declared locale is removed. The
// realm's PUT ignores the field; the texts have endpoints of their own
// (the "localization" read and write hooks), a POST of a map merging
// texts into a locale and a DELETE per key or per locale.

const KindLocalization = "localization"

func localizationKind() *Kind {
	return &Kind{
		Name: KindLocalization, Title: "realm localization", Plural: "localizationTexts",
		Representation: "RealmLocalizationTexts", KeyField: "locale", KeyIsID: true,
		RealmPath: "localizationTexts", MapValue: "texts",
		StringMaps: []string{"texts"},
		WholeMaps:  []WholeMap{{Field: "texts"}},
		Endpoints:  Endpoints{Create: "{realm}/localization", Item: "{realm}/localization/{id}"},
		Read:       ReadSpec{Mode: ReadHook, Hook: "localization"},
		Write:      &WriteSpec{Hook: "localization"},
		ExportTo:   "localization.yaml",
	}
}
