//! `GET /api/$metadata`: the service document's CSDL (XML), reduced to what this API serves: the
//! `Investigation` entity type with its nine properties, the state enumeration, and the `Investigations`
//! entity set.
//!
//! The service answers `$metadata` in XML by default
//! (<https://github.com/MicrosoftDocs/microsoft-365-docs/issues/5307>). Its namespace,
//! `microsoft.windowsDefenderATP.api`, is the one Microsoft's examples name in their context URLs. No public
//! copy of its CSDL was found, so the names of the enumeration type and the entity container are the mock's
//! choice; the properties and their types are those of the Investigation resource type
//! (<https://learn.microsoft.com/en-us/defender-endpoint/api/investigation>: `id` a String, `startTime` and
//! `endTime` nullable date-times), and the 19 members those of `InvestigationState::KNOWN`.

use mde_core::InvestigationState;

/// The namespace of the service's model.
pub const NAMESPACE: &str = "microsoft.windowsDefenderATP.api";

/// The CSDL document.
pub fn csdl() -> String {
    let mut members = String::new();
    for (i, name) in InvestigationState::KNOWN_NAMES.iter().enumerate() {
        members.push_str(&format!("        <Member Name=\"{name}\" Value=\"{i}\"/>\n"));
    }
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="{NAMESPACE}" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="Investigation">
        <Key>
          <PropertyRef Name="id"/>
        </Key>
        <Property Name="id" Type="Edm.String" Nullable="false"/>
        <Property Name="startTime" Type="Edm.DateTimeOffset"/>
        <Property Name="endTime" Type="Edm.DateTimeOffset"/>
        <Property Name="state" Type="{NAMESPACE}.InvestigationState" Nullable="false"/>
        <Property Name="cancelledBy" Type="Edm.String"/>
        <Property Name="statusDetails" Type="Edm.String"/>
        <Property Name="machineId" Type="Edm.String"/>
        <Property Name="computerDnsName" Type="Edm.String"/>
        <Property Name="triggeringAlertId" Type="Edm.String"/>
      </EntityType>
      <EnumType Name="InvestigationState">
{members}      </EnumType>
      <EntityContainer Name="DefenderATP">
        <EntitySet Name="Investigations" EntityType="{NAMESPACE}.Investigation"/>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_nine_properties_and_the_nineteen_states() {
        let xml = csdl();
        assert_eq!(xml.matches("<Property ").count(), 9);
        assert_eq!(xml.matches("<Member ").count(), 19);
        for name in [
            "id",
            "startTime",
            "endTime",
            "state",
            "cancelledBy",
            "statusDetails",
            "machineId",
            "computerDnsName",
            "triggeringAlertId",
        ] {
            assert!(xml.contains(&format!("<Property Name=\"{name}\"")), "{name}");
        }
        assert!(xml.contains("<Member Name=\"Disabled\" Value=\"18\"/>"));
        assert!(xml.contains("<EntitySet Name=\"Investigations\""));
    }
}
