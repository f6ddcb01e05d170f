terraform {
  required_providers {
    keycloak = {
      source = "keycloak/keycloak"
    }
  }
}

provider "keycloak" {}

resource "keycloak_realm" "realm" {
  realm = "tiny"
  enabled = true
}

resource "keycloak_role" "role_role-0000" {
  realm_id = keycloak_realm.realm.id
  name = "role-0000"
  description = "Realm role 0"
}

resource "keycloak_role" "role_role-0001" {
  realm_id = keycloak_realm.realm.id
  name = "role-0001"
  description = "Realm role 1"
}

resource "keycloak_role" "role_role-0002" {
  realm_id = keycloak_realm.realm.id
  name = "role-0002"
  description = "Realm role 2"
}

resource "keycloak_role" "role_role-0003" {
  realm_id = keycloak_realm.realm.id
  name = "role-0003"
  description = "Realm role 3"
}

resource "keycloak_role" "role_role-0004" {
  realm_id = keycloak_realm.realm.id
  name = "role-0004"
  description = "Realm role 4"
}

resource "keycloak_role" "role_role-0005" {
  realm_id = keycloak_realm.realm.id
  name = "role-0005"
  description = "Realm role 5"
  composite_roles = [keycloak_role.role_role-0001.id]
}

resource "keycloak_openid_client" "client_app-0000" {
  realm_id = keycloak_realm.realm.id
  client_id = "app-0000"
  access_type = "PUBLIC"
  standard_flow_enabled = true
  name = "Application 0"
  valid_redirect_uris = ["https://app-0000.example/*"]
}

resource "keycloak_openid_hardcoded_claim_protocol_mapper" "mapper_app-0000_claim-0" {
  realm_id = keycloak_realm.realm.id
  client_id = keycloak_openid_client.client_app-0000.id
  name = "claim-0"
  claim_name = "c0"
  claim_value = "app-0000-0"
  claim_value_type = "String"
  add_to_access_token = true
  add_to_id_token = false
  add_to_userinfo = false
}

resource "keycloak_openid_client" "client_app-0001" {
  realm_id = keycloak_realm.realm.id
  client_id = "app-0001"
  access_type = "PUBLIC"
  standard_flow_enabled = true
  name = "Application 1"
  valid_redirect_uris = ["https://app-0001.example/*"]
}

resource "keycloak_openid_hardcoded_claim_protocol_mapper" "mapper_app-0001_claim-0" {
  realm_id = keycloak_realm.realm.id
  client_id = keycloak_openid_client.client_app-0001.id
  name = "claim-0"
  claim_name = "c0"
  claim_value = "app-0001-0"
  claim_value_type = "String"
  add_to_access_token = true
  add_to_id_token = false
  add_to_userinfo = false
}

resource "keycloak_role" "role_app-0000_perm-0" {
  realm_id = keycloak_realm.realm.id
  client_id = keycloak_openid_client.client_app-0000.id
  name = "perm-0"
}

resource "keycloak_role" "role_app-0001_perm-0" {
  realm_id = keycloak_realm.realm.id
  client_id = keycloak_openid_client.client_app-0001.id
  name = "perm-0"
}

resource "keycloak_group" "group__team-0000" {
  realm_id = keycloak_realm.realm.id
  name = "team-0000"
  attributes = {
    "cost-center" = "1000"
  }
}

resource "keycloak_group" "group__team-0000_team-0001" {
  realm_id = keycloak_realm.realm.id
  name = "team-0001"
  parent_id = keycloak_group.group__team-0000.id
  attributes = {
    "cost-center" = "1001"
  }
}

resource "keycloak_group" "group__team-0000_team-0002" {
  realm_id = keycloak_realm.realm.id
  name = "team-0002"
  parent_id = keycloak_group.group__team-0000.id
  attributes = {
    "cost-center" = "1002"
  }
}

resource "keycloak_user" "user_user-00000" {
  realm_id = keycloak_realm.realm.id
  username = "user-00000"
  enabled = true
  email = "user-00000@example.com"
  first_name = "User"
  last_name = "Number 0"
}

resource "keycloak_user" "user_user-00001" {
  realm_id = keycloak_realm.realm.id
  username = "user-00001"
  enabled = true
  email = "user-00001@example.com"
  first_name = "User"
  last_name = "Number 1"
}

resource "keycloak_user_groups" "groups_of_user-00001" {
  realm_id = keycloak_realm.realm.id
  user_id = keycloak_user.user_user-00001.id
  group_ids = [keycloak_group.group__team-0000.id]
}

resource "keycloak_user_roles" "roles_of_user-00001" {
  realm_id = keycloak_realm.realm.id
  user_id = keycloak_user.user_user-00001.id
  role_ids = [keycloak_role.role_role-0004.id, keycloak_role.role_app-0001_perm-0.id]
}

resource "keycloak_user" "user_user-00002" {
  realm_id = keycloak_realm.realm.id
  username = "user-00002"
  enabled = true
  email = "user-00002@example.com"
  first_name = "User"
  last_name = "Number 2"
}

resource "keycloak_user_groups" "groups_of_user-00002" {
  realm_id = keycloak_realm.realm.id
  user_id = keycloak_user.user_user-00002.id
  group_ids = [keycloak_group.group__team-0000_team-0001.id]
}

resource "keycloak_user_roles" "roles_of_user-00002" {
  realm_id = keycloak_realm.realm.id
  user_id = keycloak_user.user_user-00002.id
  role_ids = [keycloak_role.role_role-0005.id, keycloak_role.role_app-0001_perm-0.id]
}
